"""orderflow_lib.adapters."""
