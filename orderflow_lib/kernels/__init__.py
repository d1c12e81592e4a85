"""orderflow_lib.kernels."""
