"""orderflow_lib.strategy."""
