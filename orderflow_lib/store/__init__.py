"""orderflow_lib.store."""
