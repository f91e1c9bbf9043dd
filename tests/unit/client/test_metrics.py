"""The request counter lives on the caller's registry and is shared between clients."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, Gauge

from aim_engine.client import Client
from aim_engine.client._metrics import request_counter


def test_two_clients_share_one_family() -> None:
    registry = CollectorRegistry()
    first = request_counter(registry)
    second = request_counter(registry)
    assert first is second
    first.labels(code="200", method="GET", host="h").inc()
    value = registry.get_sample_value(
        "rest_client_requests_total", {"code": "200", "method": "GET", "host": "h"}
    )
    assert value == 1.0


async def test_clients_on_one_registry_do_not_clash() -> None:
    registry = CollectorRegistry()
    a = Client.from_host("http://127.0.0.1:1", registry=registry)
    b = Client.from_host("http://127.0.0.1:2", registry=registry)
    await a.close()
    await b.close()
    families = [m.name for m in registry.collect()]
    assert families.count("rest_client_requests") == 1


def test_name_taken_by_other_type_raises() -> None:
    registry = CollectorRegistry()
    Gauge("rest_client_requests_total", "x", registry=registry)
    with pytest.raises(ValueError):
        request_counter(registry)
