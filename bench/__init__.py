"""Benchmarks: each script prints one JSON document (ratios are measured in the same run)."""
