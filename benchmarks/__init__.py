"""Benchmarks of aim-engine's core against kopf and a bare kubernetes-asyncio list+watch loop.

Run ``python -m benchmarks run [--objects N] [--quick]``. See ``docs/performance.md``.
"""
