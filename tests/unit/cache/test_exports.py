"""The public names of aim_engine.cache (changing them is an API change)."""

from __future__ import annotations

import aim_engine.cache


def test_public_names_are_pinned() -> None:
    assert aim_engine.cache.__all__ == [
        "DEFAULT_STALE_AFTER",
        "NAMESPACE_INDEX",
        "OBJECTS",
        "RELISTS_TOTAL",
        "STALE_INFORMERS",
        "WATCH_RESTARTS_TOTAL",
        "Backoff",
        "Cache",
        "CacheNotSyncedError",
        "HandlerRegistration",
        "IndexFunc",
        "Informer",
        "InformerStatistics",
        "LabelSelector",
        "ListerWatcher",
        "Reader",
        "Reflector",
        "ReflectorOptions",
        "ReflectorSink",
        "ResourceEventHandler",
        "ResourceEventHandlerFuncs",
        "Store",
        "Transform",
        "WatchEventLike",
        "strip_managed_fields",
    ]
    for name in aim_engine.cache.__all__:
        assert hasattr(aim_engine.cache, name)
