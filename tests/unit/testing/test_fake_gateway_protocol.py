"""Framing and handshake of the fake gateway's TWS API protocol."""

from __future__ import annotations

import struct
from datetime import UTC, datetime

import pytest

from orderflow_lib.testing.fake_gateway.protocol import (
    FrameReader,
    ProtocolError,
    decode_payload,
    encode_frame,
    field_text,
    handshake_reply,
    negotiate_version,
    parse_version_range,
)


def test_encode_frame_when_fields_then_length_prefix_and_nul_terminated_fields() -> None:
    frame = encode_frame([15, 1, "DU1234567"])
    assert frame == struct.pack(">I", 15) + b"15\x001\x00DU1234567\x00"


def test_field_text_when_bool_none_float_then_ib_text() -> None:
    assert [field_text(v) for v in (True, False, None, 6000.25, 7)] == [
        "1",
        "0",
        "",
        "6000.25",
        "7",
    ]


def test_frame_reader_when_bytes_arrive_in_pieces_then_whole_messages_in_order() -> None:
    data = encode_frame([9, 1, 5]) + encode_frame([4, 2, -1, 2104, "ok", ""])
    reader = FrameReader()
    messages = []
    for i in range(0, len(data), 3):
        messages += reader.feed(data[i : i + 3])
    assert messages == [["9", "1", "5"], ["4", "2", "-1", "2104", "ok", ""]]


def test_frame_reader_when_length_absurd_then_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="frame length"):
        FrameReader().feed(struct.pack(">I", 2**31) + b"x")


def test_decode_payload_when_trailing_nul_then_dropped() -> None:
    assert decode_payload(b"a\x00\x00b\x00") == ["a", "", "b"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("v157..178", (157, 178)), ("v157..176 +PACEAPI", (157, 176)), ("v100", (100, 100))],
)
def test_parse_version_range_when_client_text_then_min_and_max(
    text: str, expected: tuple[int, int]
) -> None:
    assert parse_version_range(text) == expected


def test_parse_version_range_when_garbage_then_protocol_error_names_text() -> None:
    with pytest.raises(ProtocolError, match="'API'"):
        parse_version_range("API")


@pytest.mark.parametrize(
    ("client", "server_max", "expected"),
    [
        ((157, 178), 178, 178),
        ((157, 176), 178, 176),
        ((157, 178), 176, 176),
        ((100, 200), 178, 178),
    ],
)
def test_negotiate_version_when_ranges_overlap_then_highest_common(
    client: tuple[int, int], server_max: int, expected: int
) -> None:
    assert negotiate_version(*client, server_max=server_max) == expected


def test_negotiate_version_when_client_needs_protobuf_versions_then_refused() -> None:
    with pytest.raises(ProtocolError, match="no common version"):
        negotiate_version(201, 225)


def test_handshake_reply_when_sent_then_exactly_two_fields() -> None:
    reply = handshake_reply(178, datetime(2026, 11, 23, 19, 40, tzinfo=UTC))
    assert FrameReader().feed(reply) == [["178", "20261123 19:40:00 Greenwich Mean Time"]]
