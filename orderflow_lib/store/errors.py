"""Errors raised only by the store, below core.errors.StoreError so a caller can catch either level."""

from __future__ import annotations

from orderflow_lib.core.errors import StoreError


class OrderConflictError(StoreError):
    """A confirmation contradicts a stored order (another final status, or other identity fields).

    The stored order is left as it was; the safety manager treats this like any StoreError.
    """
