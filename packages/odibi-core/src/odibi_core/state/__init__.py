"""Run state as the kernel uses it: the session of a run, integrity checks, high-water marks."""
