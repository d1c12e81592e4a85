"""orderflow_lib.market."""
