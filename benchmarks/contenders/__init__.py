"""Contender processes: each watches the benchmark objects and reports reconciles to the harness."""
