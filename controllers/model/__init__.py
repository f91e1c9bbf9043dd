"""AIMModel / AIMClusterModel: the ``model`` and ``cluster-model`` controllers (spec §5.3).

One implementation parameterised by scope (:mod:`.scope`):

* :mod:`.health` — metadata in force, ``ExpectsTemplates``, ``ImageMetadata`` and template
  aggregation health, registry error reasons (pure, spec §5.3.1-§5.3.2);
* :mod:`.templates` — the owned templates as apply bodies, hardware merge, status decoration
  (pure, spec §5.3.3, §5.3.5);
* :mod:`.inspection` — pull secrets and the registry client (the only network I/O);
* :mod:`.domain` — the :class:`~controllers.engine.Domain` run by the shared pipeline;
* :mod:`.watches` — cache indexes and watch mappings (spec §6);
* :mod:`.reconciler` — :func:`~controllers.model.reconciler.setup_model_controllers`.

See ``docs/operator/model.md``.
"""
