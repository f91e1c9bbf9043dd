"""The async Kubernetes client of aim-engine: raw JSON over kubernetes-asyncio, typed errors.

::

    from aim_engine.client import Client
    from aim_engine.kinds import CONFIG_MAP

    async with await Client.auto() as client:
        cm = await client.get(CONFIG_MAP, "settings", "default")
        await client.apply({"apiVersion": "v1", "kind": "ConfigMap",
                            "metadata": {"name": "out", "namespace": "default"},
                            "data": {"k": "v"}}, field_manager="my-controller")

Objects are plain ``dict`` trees (:data:`aim_engine.objects.RawObject`); every failure is an
:mod:`aim_engine.errors` exception. See ``docs/reference/client.md``.
"""

from __future__ import annotations

from aim_engine.client._client import Client as Client
from aim_engine.client._client import PatchType as PatchType
from aim_engine.client._client import PropagationPolicy as PropagationPolicy
from aim_engine.client._pod_logs import DEFAULT_LOG_LIMIT_BYTES as DEFAULT_LOG_LIMIT_BYTES
from aim_engine.client._pod_logs import ApiPodLogReader as ApiPodLogReader
from aim_engine.client._pod_logs import PodLogReader as PodLogReader
from aim_engine.client._watch import WatchEvent as WatchEvent
from aim_engine.client._watch import WatchStream as WatchStream

__all__ = [
    "DEFAULT_LOG_LIMIT_BYTES",
    "ApiPodLogReader",
    "Client",
    "PatchType",
    "PodLogReader",
    "PropagationPolicy",
    "WatchEvent",
    "WatchStream",
]
