"""The request counter ``rest_client_requests_total{code,method,host}`` (client-go's name).

The counter lives on the :class:`prometheus_client.CollectorRegistry` the caller passes in, never
on the global one. Several clients may share one registry (a manager plus a test's own client):
the first registers the family, later ones find it on the registry and reuse it, so nobody meets
prometheus-client's "Duplicated timeseries" error.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

from aim_engine.registry_sharing import shared_on

__all__ = ["REQUESTS_TOTAL", "request_counter"]

REQUESTS_TOTAL = "rest_client_requests_total"


def request_counter(registry: CollectorRegistry) -> Counter:
    """The ``rest_client_requests_total`` family on ``registry``, registered on first use.

    Raises:
        ValueError: the name is taken on that registry by a collector that is not a Counter.
    """
    return shared_on(
        registry,
        REQUESTS_TOTAL,
        lambda: Counter(
            REQUESTS_TOTAL,
            "Number of HTTP requests, partitioned by status code, method, and host.",
            ["code", "method", "host"],
            registry=registry,
        ),
    )
