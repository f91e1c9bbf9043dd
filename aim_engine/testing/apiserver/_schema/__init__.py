"""The schema room of the fake API server: what a valid object looks like.

Structural CRD schemas compiled once (pruning, defaulting, validation, list types), CEL rules of
``x-kubernetes-validations`` and the CEL library additions, ``metadata`` validation for every
kind, the kind-specific checks of built-in objects, and field errors worded like kube-apiserver.
Pure functions over plain dicts: no storage, no HTTP.
"""
