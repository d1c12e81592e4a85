"""orderflow_lib.plan."""
