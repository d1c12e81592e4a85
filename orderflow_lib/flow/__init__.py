"""orderflow_lib.flow."""
