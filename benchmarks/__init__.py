"""Benchmarks: commands that print measured figures (ratios against baselines from the same run)."""
