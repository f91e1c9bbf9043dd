"""AIM API types: the pydantic models that are the source of truth for the AIM CRDs.

``aim_engine.api.v1alpha1`` holds the models of API group ``aim.eai.amd.com`` version
``v1alpha1``; :mod:`aim_engine.api.crdgen` turns them into CustomResourceDefinitions and
:mod:`aim_engine.api.docgen` into reference pages.
"""
