"""Alembic migrations of the store, run programmatically by orderflow_lib.store.migrate."""
