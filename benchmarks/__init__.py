"""Benchmarks: measured against a baseline in the same run; not part of pass/fail."""
