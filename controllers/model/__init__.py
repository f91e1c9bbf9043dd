"""AIMModel / AIMClusterModel: the pure parts of the ``model`` and ``cluster-model`` controllers.

* :mod:`.health` — metadata in force, ``ExpectsTemplates``, ``ImageMetadata`` and template
  aggregation health (spec §5.3.1-§5.3.2);
* :mod:`.templates` — the owned templates as apply bodies, hardware merge, status decoration
  (spec §5.3.3, §5.3.5).

Registry inspection (OCI label parsing) is in ``controllers.oci``; the reconcilers are not
written yet, see ``docs/operator/model.md``.
"""
