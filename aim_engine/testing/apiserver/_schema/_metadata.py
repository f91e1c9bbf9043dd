"""Validation of ``metadata`` the way kube-apiserver does it for every kind.

Names must be DNS-1123 subdomains (labels for namespaces), ``generateName`` may stand in for the
name on create, label keys and values and annotation keys follow the qualified-name rules, and
owner references need apiVersion, kind, name and uid, finalizers must be qualified names (and
fully qualified unless standard), and ``uid``/``creationTimestamp`` cannot change on update.
Failures come back as :class:`~aim_engine.testing.apiserver._schema._field_errors.FieldError`
lists with the real messages, which the caller turns into a 422 Invalid ``Status``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

from aim_engine.testing.apiserver._schema._compiled import FieldError

__all__ = ["metadata_shape_error", "validate_metadata", "validate_metadata_update"]

_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_NAME_PART = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")

_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
_NAME_PART_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',"
    "  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


def _q(value: Any) -> str:
    return json.dumps(value)


def _name_errors(name: str, label_style: bool) -> list[FieldError]:
    limit = 63 if label_style else 253
    if len(name) > limit:
        return [
            FieldError(
                "metadata.name",
                "FieldValueInvalid",
                f"Invalid value: {_q(name)}: must be no more than {limit} characters",
            )
        ]
    pattern, msg = (_LABEL, _LABEL_MSG) if label_style else (_SUBDOMAIN, _SUBDOMAIN_MSG)
    if not pattern.match(name):
        return [
            FieldError("metadata.name", "FieldValueInvalid", f"Invalid value: {_q(name)}: {msg}")
        ]
    return []


_QUALIFIED_MSG = (
    "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
    "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
    "subdomain prefix and '/' (e.g. 'example.com/MyName')"
)


def _qualified_name_errors(field: str, key: str, shown: str | None = None) -> list[FieldError]:
    """The errors of Go's ``IsQualifiedName`` (``[prefix/]name``), in its order."""
    shown = shown or key
    parts = key.split("/")
    if len(parts) > 2:
        return [
            FieldError(field, "FieldValueInvalid", f"Invalid value: {_q(shown)}: {_QUALIFIED_MSG}")
        ]
    texts: list[str] = []
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            texts.append("prefix part must be non-empty")
        else:
            if len(prefix) > 253:
                texts.append("prefix part must be no more than 253 characters")
            if not _SUBDOMAIN.match(prefix):
                texts.append(f"prefix part {_SUBDOMAIN_MSG}")
    if not name:
        texts.append("name part must be non-empty")
    elif len(name) > 63:
        texts.append("name part must be no more than 63 characters")
    if not _NAME_PART.match(name):
        texts.append(_NAME_PART_MSG)
    return [
        FieldError(field, "FieldValueInvalid", f"Invalid value: {_q(shown)}: {t}") for t in texts
    ]


_STANDARD_FINALIZERS = frozenset({"kubernetes", "orphan", "foregroundDeletion"})


def _finalizer_errors(finalizers: list[str]) -> list[FieldError]:
    errors: list[FieldError] = []
    for name in finalizers:
        errors.extend(_qualified_name_errors("metadata.finalizers", name))
    for i, name in enumerate(finalizers):
        if name not in _STANDARD_FINALIZERS and "/" not in name:
            errors.append(
                FieldError(
                    f"metadata.finalizers[{i}]",
                    "FieldValueInvalid",
                    f"Invalid value: {_q(name)}: name is neither a standard finalizer name nor "
                    "is it fully qualified",
                )
            )
    return errors


def _owner_errors(refs: list[Mapping[str, Any]]) -> list[FieldError]:
    errors: list[FieldError] = []
    for ref in refs:
        api_version = str(ref.get("apiVersion") or "")
        checks = (
            (
                "apiVersion",
                api_version,
                api_version.rpartition("/")[2],
                "version must not be empty",
            ),
            ("kind", str(ref.get("kind") or ""), str(ref.get("kind") or ""), "must not be empty"),
            ("name", str(ref.get("name") or ""), str(ref.get("name") or ""), "must not be empty"),
            ("uid", str(ref.get("uid") or ""), str(ref.get("uid") or ""), "must not be empty"),
        )
        for field, value, part, message in checks:
            if not part:
                errors.append(
                    FieldError(
                        f"metadata.ownerReferences.{field}",
                        "FieldValueInvalid",
                        f"Invalid value: {_q(value)}: {message}",
                    )
                )
    return errors


_STRING_FIELDS = ("name", "generateName", "namespace", "uid", "resourceVersion")
_MAP_FIELDS = ("labels", "annotations")
_OWNER_FIELDS = ("apiVersion", "kind", "name", "uid")


def _go_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _unmarshal(value: Any, field: str, go_type: str) -> str:
    return (
        f"json: cannot unmarshal {_go_type(value)} into Go struct field "
        f"ObjectMeta.metadata.{field} of type {go_type}"
    )


def metadata_shape_error(meta: Mapping[str, Any]) -> str | None:
    """The decoding error (a 400) for ``metadata`` fields of the wrong JSON type, if any."""
    for field in _STRING_FIELDS:
        if meta.get(field) is not None and not isinstance(meta[field], str):
            return _unmarshal(meta[field], field, "string")
    for field in _MAP_FIELDS:
        value = meta.get(field)
        if value is None:
            continue
        if not isinstance(value, Mapping):
            return _unmarshal(value, field, "map[string]string")
        for item in value.values():
            if not isinstance(item, str):
                return _unmarshal(item, field, "string")
    finalizers = meta.get("finalizers")
    if finalizers is not None and (
        not isinstance(finalizers, list) or not all(isinstance(f, str) for f in finalizers)
    ):
        return _unmarshal(finalizers, "finalizers", "[]string")
    refs = meta.get("ownerReferences")
    if refs is not None:
        if not isinstance(refs, list) or not all(isinstance(r, Mapping) for r in refs):
            return _unmarshal(refs, "ownerReferences", "[]v1.OwnerReference")
        for ref in refs:
            for field in _OWNER_FIELDS:
                if ref.get(field) is not None and not isinstance(ref[field], str):
                    return _unmarshal(ref[field], f"ownerReferences.{field}", "string")
    return None


def validate_metadata(meta: Mapping[str, Any], *, label_style_name: bool) -> list[FieldError]:
    """Check name, labels and annotations of an object about to be stored.

    Args:
        meta: the object's ``metadata`` (after ``generateName`` was resolved).
        label_style_name: names must be DNS-1123 labels (namespaces) instead of subdomains.
    """
    errors: list[FieldError] = []
    name = meta.get("name")
    if not name:
        errors.append(
            FieldError(
                "metadata.name",
                "FieldValueRequired",
                "Required value: name or generateName is required",
            )
        )
    else:
        errors.extend(_name_errors(str(name), label_style_name))
    labels = meta.get("labels") or {}
    if not isinstance(labels, Mapping):
        errors.append(
            FieldError(
                "metadata.labels",
                "FieldValueTypeInvalid",
                "Invalid value: must be a map of strings",
            )
        )
        labels = {}
    for key, value in labels.items():
        errors.extend(_qualified_name_errors("metadata.labels", str(key)))
        if not isinstance(value, str) or len(value) > 63 or not _LABEL_VALUE.match(value):
            errors.append(
                FieldError(
                    "metadata.labels",
                    "FieldValueInvalid",
                    f"Invalid value: {_q(value)}: {_VALUE_MSG}",
                )
            )
    annotations = meta.get("annotations") or {}
    if isinstance(annotations, Mapping):
        for key in annotations:
            errors.extend(
                _qualified_name_errors("metadata.annotations", str(key).lower(), str(key))
            )
    errors.extend(_owner_errors(list(meta.get("ownerReferences") or ())))
    errors.extend(_finalizer_errors([str(f) for f in meta.get("finalizers") or ()]))
    return errors


def _normalized(value: Any) -> Any:
    """Timestamps compare as instants (clients re-format them), everything else as is."""
    if isinstance(value, str) and "T" in value:
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value


def validate_metadata_update(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[FieldError]:
    """Immutable metadata: ``uid`` and ``creationTimestamp`` may be omitted but not changed."""
    return [
        FieldError(
            f"metadata.{field}",
            "FieldValueInvalid",
            f"Invalid value: {_q(new.get(field))}: field is immutable",
        )
        for field in ("uid", "creationTimestamp")
        if new.get(field) and _normalized(new.get(field)) != _normalized(old.get(field))
    ]
