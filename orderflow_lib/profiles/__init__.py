"""orderflow_lib.profiles."""
