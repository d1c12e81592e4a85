"""The safety auth key: start-up validation and constant-time comparison."""

from __future__ import annotations

import hmac

from orderflow_lib.core.errors import SafetyError

MIN_AUTH_KEY_LENGTH = 32
"""Fewest characters a SAFETY_AUTH_KEY may have."""


def auth_key_problem(key: str | None) -> str | None:
    """Why `key` cannot protect the safety controls, or None when it can (32+ printable ASCII
    characters without spaces, so it survives an HTTP header and cannot be blank)."""
    if key is None or key == "":
        return (
            "SAFETY_AUTH_KEY is missing: set it to a secret of at least "
            f"{MIN_AUTH_KEY_LENGTH} printable ASCII characters without spaces"
        )
    bad = next((i for i, char in enumerate(key, 1) if not "!" <= char <= "~"), None)
    if bad is not None:
        return (
            f"SAFETY_AUTH_KEY has a space, control or non-ASCII character at position {bad}: "
            "use only printable ASCII characters without spaces"
        )
    if len(key) < MIN_AUTH_KEY_LENGTH:
        return (
            f"SAFETY_AUTH_KEY is too short: {len(key)} characters, "
            f"need at least {MIN_AUTH_KEY_LENGTH}"
        )
    return None


def validate_auth_key(key: str | None) -> str:
    """Return the key, or raise SafetyError saying what is wrong with it."""
    problem = auth_key_problem(key)
    if problem is not None:
        raise SafetyError(problem)
    assert key is not None
    return key


def keys_match(expected: str, candidate: str | None) -> bool:
    """Constant-time comparison of a presented key with the expected one; None never matches."""
    presented = (candidate or "").encode("utf-8")
    return hmac.compare_digest(expected.encode("utf-8"), presented) and candidate is not None
