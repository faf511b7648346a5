"""Benchmarks of Accord; ``python -m bench.run`` writes figures to stdout and bench/results/."""
