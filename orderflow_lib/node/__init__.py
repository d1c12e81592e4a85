"""orderflow_lib.node."""
