"""Profiling: measure a model in a separate process (user code is untrusted)."""
