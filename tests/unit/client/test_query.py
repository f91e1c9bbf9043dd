"""Query building: booleans as true/false, absent options left out."""

from __future__ import annotations

from aim_engine.client._query import build_query


def test_booleans_are_lowercase() -> None:
    assert build_query({"watch": True, "force": False}) == [("watch", "true"), ("force", "false")]


def test_none_and_empty_are_dropped_and_order_kept() -> None:
    q = build_query({"labelSelector": "a=b", "limit": 2, "continue": None, "fieldSelector": ""})
    assert q == [("labelSelector", "a=b"), ("limit", "2")]
