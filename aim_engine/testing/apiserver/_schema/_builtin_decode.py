"""How kube-apiserver decodes the JSON body of a built-in kind into its Go type.

A built-in object is not validated against a schema: the server decodes the body into the kind's
Go struct (``sigs.k8s.io/json``, case-sensitive, strict about unknown fields), so a wrongly
typed field is a 400 decoding error, not a 422. :func:`decode_builtin` follows that decoder over
the shipped OpenAPI definitions (:mod:`aim_engine.testing.apiserver._schema._builtin_schemas`):

* a value of the wrong JSON type fails with Go's message, ``json: cannot unmarshal number into
  Go struct field ConfigMap.data of type string``: the innermost struct's type name, the path of
  struct field names from the root (map keys and list positions left out) and the Go type,
  derived from the definition (``v1.PodSpec``, ``[]string``, ``map[string]string``, ``int32``);
  a number that does not fit an integer field names itself (``number 1.5``, ``number 3000000000``).
  Only the first such error is reported, prefixed ``<Kind> in version "<v>" cannot be handled as
  a <Kind>:``;
* the types with their own decoders: a ``Quantity`` accepts a number or a string matching the
  quantity grammar (else ``quantities must match the regular expression ...``), an
  ``IntOrString`` a string or an int32, a ``Time`` a string; their failure stops decoding at once
  (it wins over an earlier type error); raw JSON fields (``FieldsV1``, the ``JSON`` values of a
  CRD schema) take anything;
* ``null`` is accepted anywhere (it leaves the Go zero value);
* an object key the struct does not have is an unknown field, named by its full path
  (``spec.containers[0].foo``). With ``fieldValidation=Strict`` that is a 400 (``strict decoding
  error: unknown field "spec.foo"``); otherwise the field is dropped, and under ``Warn`` (the
  default) each one becomes a ``Warning`` header.

:func:`kind_error` words a body whose ``apiVersion``/``kind`` name another type, as the server's
scheme does (``converting (v1.Secret) to (core.ConfigMap): unknown conversion``).

Not modelled: the Go names of named scalar types (an enum field such as ``protocol`` is a
``v1.Protocol`` in Go but ``string`` here), time formats, duplicate keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from aim_engine.testing.apiserver._schema._builtin_schemas import BuiltinSchemas

__all__ = ["decode_builtin", "decode_errors", "kind_error", "quantity_error"]

_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
_INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
_TIMES = frozenset(
    {"io.k8s.apimachinery.pkg.apis.meta.v1.Time", "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime"}
)
_EXT = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."
_RAW = frozenset(
    {
        "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1",
        "io.k8s.apimachinery.pkg.runtime.RawExtension",
        _EXT + "JSON",
        _EXT + "JSONSchemaPropsOrArray",
        _EXT + "JSONSchemaPropsOrBool",
        _EXT + "JSONSchemaPropsOrStringArray",
    }
)
_QUANTITY_RE = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
_FORMAT_WRONG = f"quantities must match the regular expression '{_QUANTITY_RE}'"
_SUFFIX_WRONG = "unable to parse quantity's suffix"
_SUFFIXES = frozenset(
    {"", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"}
)
_DIGITS = frozenset("0123456789")
_SUFFIX_CHARS = frozenset("eEinumkKMGTP")
_EXPONENT = re.compile(r"^[eE][+-]?[0-9]+$")
_INT_BITS = {"int32": 32, "int64": 64}
_MAX_UNKNOWN = 100
# Go package of each group's internal types (what a versioned object converts to).
_INTERNAL = {
    "": "core",
    "events.k8s.io": "core",
    "rbac.authorization.k8s.io": "rbac",
    "coordination.k8s.io": "coordination",
    "apiextensions.k8s.io": "apiextensions",
}


def _scan(text: str, pos: int, chars: frozenset[str]) -> int:
    while pos < len(text) and text[pos] in chars:
        pos += 1
    return pos


def quantity_error(text: str) -> str | None:
    """The error ``resource.ParseQuantity`` gives for ``text`` (None: it parses)."""
    if not text:
        return _FORMAT_WRONG
    pos = 1 if text[0] in "+-" else 0
    pos = _scan(text, _scan(text, pos, frozenset("0")), _DIGITS)
    if pos < len(text) and text[pos] == ".":
        pos = _scan(text, pos + 1, _DIGITS)
    start = pos
    pos = _scan(text, pos, _SUFFIX_CHARS)
    if pos < len(text) and text[pos] in "+-":
        pos += 1
    if _scan(text, pos, _DIGITS) != len(text):
        return _FORMAT_WRONG
    suffix = text[start:]
    if suffix in _SUFFIXES or _EXPONENT.match(suffix):
        return None
    return _SUFFIX_WRONG


def _json_kind(value: Any) -> str:
    """How Go's decoder names a JSON value in a type error."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _type_error(what: str, go_type: str, struct: str, fields: tuple[str, ...]) -> str:
    """Go's ``UnmarshalTypeError`` text, with the struct field context when there is one."""
    where = f"Go struct field {struct}.{'.'.join(fields)}" if struct or fields else "Go value"
    return f"json: cannot unmarshal {what} into {where} of type {go_type}"


class _Decoder:
    def __init__(self, definitions: Mapping[str, Mapping[str, Any]]) -> None:
        self.defs = definitions
        self.saved: str | None = None
        self.fatal: str | None = None  # a custom Go decoder failed: decoding stopped
        self.unknown: list[str] = []

    def resolve(self, node: Mapping[str, Any]) -> tuple[Mapping[str, Any], str]:
        ref = str(node.get("$ref", ""))
        return (self.defs.get(ref, {}), ref) if ref else (node, "")

    def go_type(self, node: Mapping[str, Any]) -> str:
        node, ref = self.resolve(node)
        if ref:
            return ".".join(ref.split(".")[-2:])
        kind = node.get("type")
        fmt = node.get("format", "")
        if kind == "string":
            return "[]uint8" if fmt == "byte" else "string"
        if kind == "integer":
            return str(fmt) if fmt in _INT_BITS else "int"
        if kind == "number":
            return "float32" if fmt == "float" else "float64"
        if kind == "boolean":
            return "bool"
        if kind == "array":
            return "[]" + self.go_type(node.get("items") or {})
        extra = node.get("additionalProperties")
        if isinstance(extra, Mapping):
            return "map[string]" + self.go_type(extra)
        return "map[string]interface {}"

    def mismatch(self, what: str, go_type: str, struct: str, fields: tuple[str, ...]) -> None:
        if self.saved is None:
            self.saved = _type_error(what, go_type, struct, fields)

    def value(
        self, node: Mapping[str, Any], value: Any, struct: str, fields: tuple[str, ...], path: str
    ) -> None:
        schema, ref = self.resolve(node)
        if value is None or ref in _RAW or self.fatal is not None:
            return
        if ref in (_QUANTITY, _INT_OR_STRING) or ref in _TIMES:
            self.custom(ref, value, struct, fields)
            return
        kind = schema.get("type")
        if kind == "object":
            if not isinstance(value, dict):
                self.mismatch(_json_kind(value), self.go_type(node), struct, fields)
            elif isinstance(schema.get("additionalProperties"), Mapping):
                for key, item in value.items():
                    self.value(
                        schema["additionalProperties"], item, struct, fields, f"{path}.{key}"
                    )
            else:
                self.struct(schema, ref.rsplit(".", 1)[-1], value, fields, path)
        elif kind == "array":
            if not isinstance(value, list):
                self.mismatch(_json_kind(value), self.go_type(node), struct, fields)
                return
            for i, item in enumerate(value):
                self.value(schema.get("items") or {}, item, struct, fields, f"{path}[{i}]")
        elif kind is not None:
            self.scalar(schema, value, struct, fields)

    def struct(
        self,
        schema: Mapping[str, Any],
        name: str,
        value: dict[str, Any],
        fields: tuple[str, ...],
        path: str,
    ) -> None:
        props: Mapping[str, Any] = schema.get("properties") or {}
        for key in list(value):
            child = f"{path}.{key}" if path else key
            prop = props.get(key)
            if prop is None:
                if child not in self.unknown and len(self.unknown) < _MAX_UNKNOWN:
                    self.unknown.append(child)
                del value[key]
                continue
            self.value(prop, value[key], name, (*fields, key), child)

    def scalar(
        self, schema: Mapping[str, Any], value: Any, struct: str, fields: tuple[str, ...]
    ) -> None:
        kind = schema["type"]
        go_type = self.go_type(schema)
        if kind == "string":
            ok = isinstance(value, str) or (schema.get("format") == "byte" and _bytes(value))
        elif kind == "boolean":
            ok = isinstance(value, bool)
        elif isinstance(value, bool) or not isinstance(value, int | float):
            ok = False
        elif kind == "integer":
            bits = _INT_BITS.get(str(schema.get("format", "")), 64)
            fits = isinstance(value, int) and -(2 ** (bits - 1)) <= value < 2 ** (bits - 1)
            if not fits:
                self.mismatch(f"number {value!r}", go_type, struct, fields)
            return
        else:
            ok = True
        if not ok:
            self.mismatch(_json_kind(value), go_type, struct, fields)

    def custom(self, ref: str, value: Any, struct: str, fields: tuple[str, ...]) -> None:
        """Types with their own JSON decoders; a failure stops decoding at once."""
        if ref == _QUANTITY:
            if isinstance(value, str):
                error = quantity_error(value.strip())
            elif isinstance(value, int | float) and not isinstance(value, bool):
                error = None
            else:
                error = _FORMAT_WRONG
            self.fatal = error
        elif ref == _INT_OR_STRING:
            if isinstance(value, str):
                return
            if isinstance(value, int) and not isinstance(value, bool):
                if -(2**31) <= value < 2**31:
                    return
                what = f"number {value}"
            else:
                what = f"number {value!r}" if isinstance(value, float) else _json_kind(value)
            self.fatal = _type_error(what, "int32", struct, fields)
        elif not isinstance(value, str):
            self.fatal = _type_error(_json_kind(value), "string", struct, fields)


def _bytes(value: Any) -> bool:
    """A JSON array decodes into ``[]byte`` as one number per byte."""
    return isinstance(value, list) and all(
        isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 256 for v in value
    )


def decode_errors(
    schemas: BuiltinSchemas, api_version: str, kind: str, obj: dict[str, Any]
) -> tuple[str | None, list[str]]:
    """Decode ``obj`` like the server: the first decoding error and the unknown field paths.

    Unknown fields are removed from ``obj`` in place.

    Returns:
        ``(error, unknown)``; ``(None, [])`` for a kind without a shipped schema.
    """
    root = schemas.root(api_version, kind)
    if root is None:
        return None, []
    decoder = _Decoder(schemas.definitions)
    decoder.value({"$ref": root}, obj, "", (), "")
    return decoder.fatal or decoder.saved, decoder.unknown


def decode_builtin(
    schemas: BuiltinSchemas, api_version: str, kind: str, obj: dict[str, Any], validation: str
) -> tuple[str | None, list[str]]:
    """Check a built-in object's body as the server decodes it; drop its unknown fields.

    Args:
        schemas: The shipped schemas.
        api_version: The object's ``apiVersion`` (the addressed version).
        kind: Its kind.
        obj: The body (changed in place: unknown fields are removed).
        validation: The ``fieldValidation`` query parameter (``""`` means ``Warn``).

    Returns:
        ``(error, warnings)``: the 400 message for a decoding error (or for unknown fields under
        ``Strict``), else None; the warnings to send (``unknown field "spec.foo"``), empty
        unless ``Warn``.
    """
    error, unknown = decode_errors(schemas, api_version, kind, obj)
    version = api_version.rpartition("/")[2]
    prefix = f'{kind} in version "{version}" cannot be handled as a {kind}: '
    if error is not None:
        return prefix + error, []
    texts = [f'unknown field "{path}"' for path in unknown]
    if texts and validation == "Strict":
        return prefix + "strict decoding error: " + ", ".join(texts), []
    return None, texts if validation in ("", "Warn") else []


def kind_error(
    schemas: BuiltinSchemas, group: str, version: str, kind: str, body: Mapping[str, Any]
) -> str | None:
    """The 400 message for a body whose ``apiVersion``/``kind`` name another type, if any.

    A missing ``apiVersion`` or ``kind`` takes the addressed one. The same kind in another version
    of the group does not match the expected API version; another kind the server knows cannot be
    converted; a kind it does not know is not registered.
    """
    expected = f"{group}/{version}" if group else version
    api_version, body_kind = body.get("apiVersion") or expected, body.get("kind") or kind
    if not isinstance(api_version, str) or not isinstance(body_kind, str):
        return None
    if api_version == expected and body_kind == kind:
        return None
    body_group, _, body_version = api_version.rpartition("/")
    if body_kind == kind and body_group == group:
        return (
            f"the API version in the data ({api_version}) does not match the expected API "
            f"version ({expected})"
        )
    prefix = f'{body_kind} in version "{body_version}" cannot be handled as a {kind}: '
    if f"{api_version}/{body_kind}" in schemas.registered:
        internal = _INTERNAL.get(group, group.split(".")[0])
        return (
            f"{prefix}converting ({body_version}.{body_kind}) to ({internal}.{kind}): unknown "
            "conversion"
        )
    return (
        f'{prefix}no kind "{body_kind}" is registered for version "{api_version}" in scheme '
        '"pkg/runtime/scheme.go:110"'
    )
