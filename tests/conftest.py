"""Shared test configuration; fixtures come from the aim_engine pytest plugin."""
