"""Informers and the cache: list+watch reflectors, stores with indexes, handler fan-out.

Typical use::

    cache = Cache(client, clock=SystemClock(), registry=registry)
    pods = cache.informer(POD, namespace="team-a")
    pods.add_handler(ResourceEventHandlerFuncs(add=lambda obj, initial: queue.add(key_of(obj))))
    async with asyncio.TaskGroup() as tg:
        tg.create_task(cache.run())
        await cache.wait_for_sync(120)
        pod = cache.get(POD, "web-0", "team-a")   # a fresh copy; NotFoundError if absent

See ``docs/concepts/cache.md`` for the guarantees.
"""

from __future__ import annotations

from aim_engine.cache._backoff import Backoff as Backoff
from aim_engine.cache._cache import Cache as Cache
from aim_engine.cache._cache import CacheNotSyncedError as CacheNotSyncedError
from aim_engine.cache._cache import Reader as Reader
from aim_engine.cache._handlers import HandlerRegistration as HandlerRegistration
from aim_engine.cache._handlers import ResourceEventHandler as ResourceEventHandler
from aim_engine.cache._handlers import ResourceEventHandlerFuncs as ResourceEventHandlerFuncs
from aim_engine.cache._informer import DEFAULT_STALE_AFTER as DEFAULT_STALE_AFTER
from aim_engine.cache._informer import Informer as Informer
from aim_engine.cache._informer import InformerStatistics as InformerStatistics
from aim_engine.cache._informer import Transform as Transform
from aim_engine.cache._informer import strip_managed_fields as strip_managed_fields
from aim_engine.cache._labels import LabelSelector as LabelSelector
from aim_engine.cache._listwatch import ListerWatcher as ListerWatcher
from aim_engine.cache._listwatch import WatchEventLike as WatchEventLike
from aim_engine.cache._metrics import OBJECTS as OBJECTS
from aim_engine.cache._metrics import RELISTS_TOTAL as RELISTS_TOTAL
from aim_engine.cache._metrics import STALE_INFORMERS as STALE_INFORMERS
from aim_engine.cache._metrics import WATCH_RESTARTS_TOTAL as WATCH_RESTARTS_TOTAL
from aim_engine.cache._reflector import Reflector as Reflector
from aim_engine.cache._reflector import ReflectorOptions as ReflectorOptions
from aim_engine.cache._reflector import ReflectorSink as ReflectorSink
from aim_engine.cache._store import NAMESPACE_INDEX as NAMESPACE_INDEX
from aim_engine.cache._store import IndexFunc as IndexFunc
from aim_engine.cache._store import Store as Store

__all__ = [
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
