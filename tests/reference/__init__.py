"""Plain-Python incremental engines, one trade or frame at a time: the slow, obviously correct
references that the parity tests compare the batch kernels and the node's resumable kernels with."""
