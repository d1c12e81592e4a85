"""orderflow_lib.testing."""
