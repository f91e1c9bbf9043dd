"""Runnable examples of controllers built with aim-engine (importable for their tests)."""
