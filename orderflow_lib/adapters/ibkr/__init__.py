"""orderflow_lib.adapters.ibkr."""
