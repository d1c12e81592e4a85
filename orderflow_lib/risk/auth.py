"""The safety auth key: start-up validation and constant-time comparison."""

from __future__ import annotations

import hmac

from orderflow_lib.core.errors import SafetyError

MIN_AUTH_KEY_LENGTH = 32


def auth_key_problem(key: str | None) -> str | None:
    """Why `key` cannot protect the safety controls, or None when it can (32+ characters)."""
    if key is None or key == "":
        return f"SAFETY_AUTH_KEY is missing: set it to a secret of at least {MIN_AUTH_KEY_LENGTH} characters"
    if len(key) < MIN_AUTH_KEY_LENGTH:
        return (
            f"SAFETY_AUTH_KEY is too short: {len(key)} characters, "
            f"need at least {MIN_AUTH_KEY_LENGTH}"
        )
    return None


def validate_auth_key(key: str | None) -> str:
    """Return the key, or raise SafetyError saying it is missing or too short."""
    problem = auth_key_problem(key)
    if problem is not None:
        raise SafetyError(problem)
    assert key is not None
    return key


def keys_match(expected: str, candidate: str | None) -> bool:
    """Constant-time comparison of a presented key with the expected one; None never matches."""
    presented = (candidate or "").encode("utf-8")
    return hmac.compare_digest(expected.encode("utf-8"), presented) and candidate is not None
