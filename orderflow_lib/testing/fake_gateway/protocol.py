"""TWS API wire framing and handshake: 4-byte big-endian length prefix, NUL-terminated text fields.

The client opens with the raw bytes ``API\\0`` and one framed ``"v<min>..<max>"`` version range; the
server answers with exactly two fields (server version, connection time). Only the legacy text
protocol is spoken, so the negotiated version is ``min(client_max, MAX_SERVER_VERSION)``.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from datetime import datetime

from orderflow_lib.core.errors import OrderFlowError

HANDSHAKE_PREFIX = b"API\0"
MIN_SERVER_VERSION = 157
MAX_SERVER_VERSION = 178
SUPPORTED_SERVER_VERSIONS = range(MIN_SERVER_VERSION, MAX_SERVER_VERSION + 1)
_LENGTH = struct.Struct(">I")
MAX_FRAME_BYTES = 16 * 1024 * 1024


class ProtocolError(OrderFlowError):
    """A peer sent bytes that are not valid TWS API framing or handshake."""


def field_text(value: object) -> str:
    """The wire text of one field: bools as 1/0, None as empty, everything else as str()."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def encode_frame(fields: Sequence[object]) -> bytes:
    """One length-prefixed message: every field NUL-terminated, then the 4-byte length in front."""
    payload = "".join(field_text(f) + "\0" for f in fields).encode()
    return _LENGTH.pack(len(payload)) + payload


def decode_payload(payload: bytes) -> list[str]:
    """The fields of one message payload (the trailing empty element after the last NUL dropped)."""
    fields = payload.decode(errors="backslashreplace").split("\0")
    if fields and fields[-1] == "":
        fields.pop()
    return fields


class FrameReader:
    """Incremental splitter of a byte stream into messages (lists of text fields)."""

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, data: bytes) -> list[list[str]]:
        """Add received bytes; return every message completed by them, in order."""
        self._buffer += data
        messages: list[list[str]] = []
        while len(self._buffer) >= _LENGTH.size:
            (length,) = _LENGTH.unpack_from(self._buffer)
            if length > MAX_FRAME_BYTES:
                raise ProtocolError(f"frame length must be <= {MAX_FRAME_BYTES}, was {length}")
            end = _LENGTH.size + length
            if len(self._buffer) < end:
                break
            messages.append(decode_payload(self._buffer[_LENGTH.size : end]))
            self._buffer = self._buffer[end:]
        return messages


def parse_version_range(text: str) -> tuple[int, int]:
    """(min, max) client versions from ``"v157..178"`` (connect options after a space are ignored)."""
    head = text.split(" ", 1)[0]
    if not head.startswith("v"):
        raise ProtocolError(f"version range must look like 'v157..178', was {text!r}")
    parts = head[1:].split("..")
    try:
        low = int(parts[0])
        high = int(parts[1]) if len(parts) > 1 else low
    except ValueError as exc:
        raise ProtocolError(f"version range must look like 'v157..178', was {text!r}") from exc
    if low > high:
        raise ProtocolError(f"version range minimum {low} is above its maximum {high}")
    return low, high


def negotiate_version(
    client_min: int, client_max: int, server_max: int = MAX_SERVER_VERSION
) -> int:
    """The server version to speak: the highest both sides support, refused when there is none."""
    if server_max not in SUPPORTED_SERVER_VERSIONS:
        raise ProtocolError(
            f"server_max must be in {MIN_SERVER_VERSION}..{MAX_SERVER_VERSION}, was {server_max}"
        )
    version = min(client_max, server_max)
    if version < max(client_min, MIN_SERVER_VERSION):
        raise ProtocolError(
            f"no common version: client v{client_min}..{client_max}, "
            f"server v{MIN_SERVER_VERSION}..{server_max}"
        )
    return version


def handshake_reply(server_version: int, connected_at: datetime) -> bytes:
    """The two-field handshake answer: server version and the connection time (GMT text)."""
    stamp = connected_at.strftime("%Y%m%d %H:%M:%S") + " Greenwich Mean Time"
    return encode_frame([server_version, stamp])
