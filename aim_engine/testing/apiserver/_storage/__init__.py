"""The storage room of the fake API server: the cluster's memory.

The object store with its single resourceVersion counter and bounded event history (what watches
and consistent lists read), the resource table of served kinds, the shared
:class:`ClusterState`, and label/field selectors.
"""
