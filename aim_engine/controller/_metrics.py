"""Controller metric families, with controller-runtime's names, labels and buckets.

Existing kubebuilder dashboards and alerts read these series unchanged. :class:`ControllerMetrics`
registers the families once on a registry owned by the Manager (never prometheus' global
``REGISTRY``); :meth:`ControllerMetrics.bind` zero-fills every series of one controller when the
controller is created, as controller-runtime's ``initMetrics`` does, so ``rate()`` and absence
alerts work before the first reconcile.

On top of controller-runtime's set, ``aim_engine_reconcile_errors_by_category_total`` counts
failures by the category :func:`aim_engine.controller.classify` assigned.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["RECONCILE_TIME_BUCKETS", "RESULTS", "BoundControllerMetrics", "ControllerMetrics"]

RECONCILE_TIME_BUCKETS: tuple[float, ...] = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9,
    1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50,
    60,
)  # fmt: skip
"""``controller_runtime_reconcile_time_seconds`` buckets (controller-runtime, 40 buckets)."""

RESULTS = ("success", "error", "requeue", "requeue_after")
"""Values of the ``result`` label of ``controller_runtime_reconcile_total``."""


class ControllerMetrics:
    """The controller metric families on one registry (create one per registry).

    Args:
        registry: where to register the families.
        categories: the error categories to zero-fill per controller.
    """

    def __init__(self, registry: CollectorRegistry, categories: Iterable[str]) -> None:
        self.categories = tuple(categories)
        c = ("controller",)
        self.reconcile_total = Counter(
            "controller_runtime_reconcile_total",
            "Total number of reconciliations per controller",
            (*c, "result"),
            registry=registry,
        )
        self.reconcile_errors = Counter(
            "controller_runtime_reconcile_errors_total",
            "Total number of reconciliation errors per controller",
            c,
            registry=registry,
        )
        self.terminal_errors = Counter(
            "controller_runtime_terminal_reconcile_errors_total",
            "Total number of terminal reconciliation errors per controller",
            c,
            registry=registry,
        )
        self.panics = Counter(
            "controller_runtime_reconcile_panics_total",
            "Total number of reconciliation panics per controller",
            c,
            registry=registry,
        )
        self.timeouts = Counter(
            "controller_runtime_reconcile_timeouts_total",
            "Total number of reconciliation timeouts per controller",
            c,
            registry=registry,
        )
        self.reconcile_time = Histogram(
            "controller_runtime_reconcile_time_seconds",
            "Length of time per reconciliation per controller",
            c,
            buckets=RECONCILE_TIME_BUCKETS,
            registry=registry,
        )
        self.max_concurrent = Gauge(
            "controller_runtime_max_concurrent_reconciles",
            "Maximum number of concurrent reconciles per controller",
            c,
            registry=registry,
        )
        self.active_workers = Gauge(
            "controller_runtime_active_workers",
            "Number of currently used workers per controller",
            c,
            registry=registry,
        )
        self.errors_by_category = Counter(
            "aim_engine_reconcile_errors_by_category_total",
            "Total number of failed reconciliations per controller and error category",
            (*c, "category"),
            registry=registry,
        )

    def bind(self, controller: str, max_concurrent_reconciles: int) -> BoundControllerMetrics:
        """Zero-fill every series of ``controller`` and return its bound children."""
        return BoundControllerMetrics(self, controller, max_concurrent_reconciles)


class BoundControllerMetrics:
    """The series of one controller (see :meth:`ControllerMetrics.bind`)."""

    def __init__(
        self, families: ControllerMetrics, controller: str, max_concurrent_reconciles: int
    ) -> None:
        self.results = {r: families.reconcile_total.labels(controller, r) for r in RESULTS}
        self.errors = families.reconcile_errors.labels(controller)
        self.terminal_errors = families.terminal_errors.labels(controller)
        self.panics = families.panics.labels(controller)
        self.timeouts = families.timeouts.labels(controller)
        self.reconcile_time = families.reconcile_time.labels(controller)
        self.active_workers = families.active_workers.labels(controller)
        self.by_category = {
            cat: families.errors_by_category.labels(controller, cat) for cat in families.categories
        }
        families.max_concurrent.labels(controller).set(max_concurrent_reconciles)
        self.active_workers.set(0)
