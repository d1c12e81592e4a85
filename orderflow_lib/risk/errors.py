"""Safety errors more precise than core.errors.SafetyError, so the control API can answer 401 or 409.

SafetyError
├── AuthenticationError   the safety auth key was missing or wrong
└── SafetyRefusedError    an authenticated request that cannot be carried out now
"""

from __future__ import annotations

from orderflow_lib.core.errors import SafetyError


class AuthenticationError(SafetyError):
    """The safety auth key was missing or wrong."""


class SafetyRefusedError(SafetyError):
    """An authenticated request the manager refuses in the current state (says why)."""
