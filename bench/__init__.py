"""Benchmarks, run with ``make bench`` (``python -m bench``); results are recorded in ``bench/results/``."""
