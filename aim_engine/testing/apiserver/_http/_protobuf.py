"""Decoding the Kubernetes protobuf encoding for the few built-ins kubectl creates with it.

``kubectl create namespace|configmap|secret|serviceaccount`` send their body as
``application/vnd.kubernetes.protobuf``: the magic ``k8s\\0`` followed by a ``runtime.Unknown``
envelope whose ``raw`` bytes are the object's protobuf message. This module reads the protobuf wire
format generically and maps field numbers to JSON names with small per-type tables (the field
numbers are part of the public Kubernetes API definitions). Kinds without a table get ``None``, and
the server answers those with 415 as before.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any, TypeAlias

__all__ = ["PROTOBUF", "decode"]

PROTOBUF = "application/vnd.kubernetes.protobuf"
_MAGIC = b"k8s\x00"

_Schema: TypeAlias = Mapping[int, tuple[str, Any]]

_STRING_MAP = ("map", "string")
_BYTES_MAP = ("map", "bytes")
_TYPE_META: _Schema = {1: ("apiVersion", "string"), 2: ("kind", "string")}
_UNKNOWN: _Schema = {
    1: ("typeMeta", _TYPE_META),
    2: ("raw", "raw"),
    3: ("contentEncoding", "string"),
}
_OWNER: _Schema = {
    1: ("kind", "string"),
    3: ("name", "string"),
    4: ("uid", "string"),
    5: ("apiVersion", "string"),
    6: ("controller", "bool"),
    7: ("blockOwnerDeletion", "bool"),
}
_META: _Schema = {
    1: ("name", "string"),
    2: ("generateName", "string"),
    3: ("namespace", "string"),
    5: ("uid", "string"),
    6: ("resourceVersion", "string"),
    7: ("generation", "int"),
    8: ("creationTimestamp", "time"),
    11: ("labels", _STRING_MAP),
    12: ("annotations", _STRING_MAP),
    13: ("ownerReferences", [_OWNER]),
    14: ("finalizers", ["string"]),
}
_OBJECT_REF: _Schema = {
    1: ("kind", "string"),
    2: ("namespace", "string"),
    3: ("name", "string"),
    4: ("uid", "string"),
    5: ("apiVersion", "string"),
}
_KINDS: Mapping[tuple[str, str], _Schema] = {
    ("v1", "Namespace"): {1: ("metadata", _META), 2: ("spec", {1: ("finalizers", ["string"])})},
    ("v1", "ConfigMap"): {
        1: ("metadata", _META),
        2: ("data", _STRING_MAP),
        3: ("binaryData", _BYTES_MAP),
        4: ("immutable", "bool"),
    },
    ("v1", "Secret"): {
        1: ("metadata", _META),
        2: ("data", _BYTES_MAP),
        3: ("type", "string"),
        4: ("stringData", _STRING_MAP),
        5: ("immutable", "bool"),
    },
    ("v1", "ServiceAccount"): {
        1: ("metadata", _META),
        2: ("secrets", [_OBJECT_REF]),
        3: ("imagePullSecrets", [{1: ("name", "string")}]),
        4: ("automountServiceAccountToken", "bool"),
    },
}


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _fields(buf: bytes) -> Iterator[tuple[int, Any]]:
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        value: Any
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 2:
            length, pos = _varint(buf, pos)
            value, pos = buf[pos : pos + length], pos + length
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            value, pos = buf[pos : pos + size], pos + size
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield number, value


def _time(buf: bytes) -> str | None:
    seconds = dict(_fields(buf)).get(1, 0)
    if not seconds:
        return None
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _value(kind: Any, raw: Any) -> Any:
    if kind == "string":
        return bytes(raw).decode()
    if kind == "bytes":
        return base64.b64encode(bytes(raw)).decode()
    if kind == "int":
        return int(raw)
    if kind == "bool":
        return bool(raw)
    if kind == "time":
        return _time(bytes(raw))
    if kind == "raw":
        return bytes(raw)
    return _message(bytes(raw), kind)


def _message(buf: bytes, schema: _Schema) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for number, raw in _fields(buf):
        spec = schema.get(number)
        if spec is None:
            continue
        name, kind = spec
        if isinstance(kind, list):
            out.setdefault(name, []).append(_value(kind[0], raw))
        elif isinstance(kind, tuple):
            entry = dict(_fields(bytes(raw)))
            key = bytes(entry.get(1, b"")).decode()
            out.setdefault(name, {})[key] = _value(kind[1], entry.get(2, b""))
        else:
            value = _value(kind, raw)
            if value not in ("", None):
                out[name] = value
    return {k: v for k, v in out.items() if v != {}}


def decode(body: bytes) -> dict[str, Any] | None:
    """Decode a protobuf request body into a JSON object, or ``None`` if the kind is unknown.

    Raises:
        ValueError: the body is not valid Kubernetes protobuf.
    """
    if not body.startswith(_MAGIC):
        raise ValueError("missing the k8s protobuf magic prefix")
    envelope = _message(body[len(_MAGIC) :], _UNKNOWN)
    type_meta = envelope.get("typeMeta") or {}
    key = (str(type_meta.get("apiVersion", "")), str(type_meta.get("kind", "")))
    schema = _KINDS.get(key)
    if schema is None:
        return None
    obj = _message(bytes(envelope.get("raw", b"")), schema)
    return {"apiVersion": key[0], "kind": key[1], **obj}
