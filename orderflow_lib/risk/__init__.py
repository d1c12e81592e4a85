"""orderflow_lib.risk."""
