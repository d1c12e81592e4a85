"""orderflow_lib.execution."""
