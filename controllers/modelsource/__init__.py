"""AIMClusterModelSource: the pure parts of the ``cluster-model-source`` controller (spec §5.6).

* :mod:`.semver` — strict semantic versions and filter version constraints;
* :mod:`.filters` — filter parsing, image-vs-filter matching, strategy selection, image URIs;
* :mod:`.sync` — new-image selection under ``maxModels``, planned AIMClusterModels, status,
  conditions and the health of the two components.

The reconciler (registry I/O, the pipeline wiring) is not written yet; see
``docs/operator/modelsource.md``.
"""
