"""The template's own status fields and the ``Discovered`` condition (spec §5.2.3, §5.2.5).

* ``resolvedModel`` whenever the model was read (``{name, namespace}``; ``{name}`` for cluster
  templates); ``discoveryJob`` (``{name, namespace, uid}``: the UID tells whether this Job's
  failure was counted) whenever the current Job exists;
* inline sources: ``modelSources`` from the spec, a profile synthesized from the spec, the
  resolved hardware, summary and node affinity, ``discovery`` cleared, ``Discovered=True``
  ``InlineModelSources``;
* a discovery result: the same fields from the result, ``Discovered=True`` ``DiscoveryComplete``
  (the original overwrites it with False at once [QUIRK]; we keep it True);
* a failed attempt not recorded before: ``discovery`` gets one more attempt (reset first when
  the spec hash changed), ``Discovered=False`` ``AwaitingDiscovery`` with the time of the retry
  (an absolute time, so the message does not change from one reconcile to the next and cause
  status writes, as the original's "Waiting 37s" did);
* while discovery is still to come: ``Discovered=False`` ``AwaitingDiscovery``.

A Ready template (discovery done) is left as it is.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aim_engine import meta
from aim_engine.api.v1alpha1.conditions import ConditionStatus, ConditionType, Reasons
from aim_engine.errors import InvalidSpecError
from controllers.defaults import discovery_backoff_seconds
from controllers.engine import StatusDraft
from controllers.engine.conditions import format_time
from controllers.template.discovery_output import DiscoveryResult
from controllers.template.observation import Observation, Template
from controllers.template.resolved import resolve_template
from controllers.template.scope import TemplateScope

__all__ = [
    "AWAITING_MESSAGE",
    "COMPLETE_MESSAGE",
    "INLINE_MESSAGE",
    "decorate_template",
    "retry_message",
]

INLINE_MESSAGE = "Model sources provided in-line in spec"
COMPLETE_MESSAGE = "Discovery completed"
AWAITING_MESSAGE = "Waiting for discovery to complete"


def retry_message(obs: Observation) -> str:
    """``Discovered`` while the circuit breaker waits: when, and why the last attempt failed.

    The retry time is absolute (last attempt + backoff), so the message stays the same.
    """
    state = obs.state
    if state is None or not state.attempts or state.last_attempt_time is None:
        return AWAITING_MESSAGE
    at = state.last_attempt_time + timedelta(seconds=discovery_backoff_seconds(state.attempts))
    reason = state.last_failure_reason or "Unknown failure"
    return f"Retrying at {format_time(at)} (attempt {state.attempts} failed: {reason})"


def _resolved_fields(
    template: Template, obs: Observation, result: DiscoveryResult | None
) -> dict[str, Any] | None:
    try:
        resolution = resolve_template(template.spec, result, obs.inventory)
    except InvalidSpecError:
        return None  # a bad minVram: GPUReady reports it
    hardware = resolution.resolved_hardware
    return {
        "modelSources": [s.to_wire() for s in resolution.model_sources],
        "profile": resolution.profile.to_wire(),
        "resolvedHardware": hardware.to_wire() if hardware is not None else None,
        "hardwareSummary": resolution.hardware_summary,
        "resolvedNodeAffinity": resolution.resolved_node_affinity,
    }


def decorate_template(
    scope: TemplateScope,
    template: Template,
    obs: Observation,
    status: StatusDraft,
    operator_namespace: str,
) -> None:
    """Write the template's fields and ``Discovered`` (module docstring)."""
    fields, conditions = status.fields, status.conditions
    if obs.model is not None and obs.model_raw is not None:
        name = template.spec.model_name
        ref: dict[str, Any] = {"name": name}
        if scope.namespaced:
            ref["namespace"] = template.metadata.namespace
        fields["resolvedModel"] = ref
    if obs.job is not None:
        namespace = scope.job_namespace(template.metadata.namespace, operator_namespace)
        uid = meta(obs.job).get("uid")
        fields["discoveryJob"] = {"name": obs.job_name, "namespace": namespace, "uid": uid}
    discovered = ConditionType.DISCOVERED
    if obs.inline:
        resolved = _resolved_fields(template, obs, None)
        if resolved is not None:
            fields.update(resolved)
        fields["discovery"] = None
        conditions.set(
            discovered, ConditionStatus.TRUE, Reasons.INLINE_MODEL_SOURCES, INLINE_MESSAGE
        )
        return
    if not obs.checks_discovery:
        return
    result = obs.succeeded
    if result is not None and obs.failure is None:
        resolved = _resolved_fields(template, obs, result)
        if resolved is not None:
            fields.update(resolved)
            conditions.set(
                discovered, ConditionStatus.TRUE, Reasons.DISCOVERY_COMPLETE, COMPLETE_MESSAGE
            )
            return
    if obs.new_failure and obs.state is not None:
        fields["discovery"] = obs.state.to_wire()
    message = retry_message(obs) if obs.state is not None else AWAITING_MESSAGE
    conditions.set(discovered, ConditionStatus.FALSE, Reasons.AWAITING_DISCOVERY, message)
