"""orderflow_lib.auction."""
