"""orderflow_lib.feeds."""
