"""orderflow_lib.ui."""
