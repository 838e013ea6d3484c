"""Corpora: (specification, code) pairs, packing, compact token exports."""
