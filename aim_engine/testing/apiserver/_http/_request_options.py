"""Query parameters every write and watch shares: ``dryRun``, ``fieldManager``, ``timeoutSeconds``.

kube-apiserver validates the options object of a request (``CreateOptions``, ``UpdateOptions``,
``PatchOptions``, ``DeleteOptions``) before touching the object: an unknown ``dryRun`` value or a
``fieldManager`` longer than 128 bytes is a 422 on that options kind, and a ``timeoutSeconds``
that is not an integer is a 400 with Go's ``strconv`` message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aim_engine.testing.apiserver._schema._field_errors import FieldError, invalid_status
from aim_engine.testing.apiserver._status import StatusError, bad_request, parse_error

__all__ = ["check_write_options", "timeout_seconds"]

_OPTIONS_KIND = {
    "create": "CreateOptions",
    "update": "UpdateOptions",
    "patch": "PatchOptions",
    "delete": "DeleteOptions",
    "deletecollection": "DeleteOptions",
}
_MAX_MANAGER_BYTES = 128


def check_write_options(verb: str, query: Any) -> None:
    """Reject bad ``dryRun``/``fieldManager`` values of a write with the real 422.

    Args:
        verb: the request's API verb (reads are not checked).
        query: the request's query (a multidict: ``dryRun`` may repeat).

    Raises:
        StatusError: 422 Invalid on ``<Verb>Options.meta.k8s.io``.
    """
    kind = _OPTIONS_KIND.get(verb)
    if kind is None:
        return
    errors: list[FieldError] = []
    dry_run = [str(v) for v in query.getall("dryRun", ())]
    if any(v != "All" for v in dry_run):
        shown = json.dumps(dry_run, separators=(",", ":"))
        errors.append(
            FieldError(
                "dryRun",
                "FieldValueNotSupported",
                f'Unsupported value: {shown}: supported values: "All"',
            )
        )
    manager = str(query.get("fieldManager", ""))
    if kind != "DeleteOptions" and len(manager.encode()) > _MAX_MANAGER_BYTES:
        errors.append(
            FieldError(
                "fieldManager",
                "FieldValueTooLong",
                f"Too long: may not be more than {_MAX_MANAGER_BYTES} bytes",
            )
        )
    if errors:
        raise StatusError(422, invalid_status(kind, "meta.k8s.io", "", errors))


def timeout_seconds(query: Mapping[str, str]) -> float | None:
    """``timeoutSeconds`` as a number (``None`` when absent).

    Raises:
        StatusError: 400 when it is not an integer.
    """
    raw = query.get("timeoutSeconds", "")
    if not raw:
        return None
    try:
        return float(int(raw))
    except ValueError as exc:
        raise bad_request(parse_error(raw)) from exc
