"""Derived names and label values: the spec's §7.1 algorithm, byte for byte.

Every object the operator creates gets a name built by :func:`generate_derived_name`: readable
parts (sanitised to ``[a-z0-9-]``) followed by a short hash of the inputs that make the object
unique. When the parts are too long the longest one is shortened first, so the hash (which keeps
truncated names apart) always survives. The hash is SHA-256 over each input serialised the way Go's
``encoding/json`` does (:func:`go_json`), joined with ``|``; reproducing that serialisation exactly
is what makes our names equal to the original operator's, so objects it created are adopted rather
than duplicated.

Choices where Go and Python differ:

* Lower-casing is per code point with Go's *simple* case mapping (``İ`` → ``i``, not ``i̇``), so a
  non-ASCII character becomes exactly one output character, as in Go.
* A result is always a valid DNS-1123 label when it fits ``max_len`` (parts never start or end
  with ``-`` and the hash is hex); :func:`is_dns1123_label` checks it.

The per-object names of the §7.1 table are in :mod:`controllers.object_names`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import cast

from aim_engine.api.v1alpha1.core import EnvVar
from aim_engine.errors import InvalidSpecError

__all__ = [
    "DEFAULT_HASH_LEN",
    "DNS1123_LABEL_MAX",
    "HashInput",
    "generate_derived_name",
    "go_json",
    "hash_inputs",
    "is_dns1123_label",
    "sanitize_label_value",
    "sanitize_name_part",
]

DNS1123_LABEL_MAX = 63
DEFAULT_HASH_LEN = 8
_EMPTY_PART = "part"
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_LABEL_VALUE_RUN = re.compile(r"[^a-z0-9._-]+")

HashInput = str | int | bool | EnvVar | Sequence["HashInput"] | Mapping[str, "HashInput"] | None
"""What a hash input may be: a Go string, int, bool, ``EnvVar`` struct, slice, map or nil.

A :class:`~collections.abc.Mapping` stands for a Go map and is flattened to ``[k1, v1, k2, v2…]``
sorted by key (the original does this before serialising); an :class:`EnvVar` is a Go struct.
"""

# Go struct field order of corev1.EnvVarSource (key "valueFrom") and the selectors inside it;
# keys we do not know are written after the known ones, sorted.
_KEY_SELECTOR = ("name", "key", "optional")
_GO_FIELD_ORDER: dict[str, tuple[str, ...]] = {
    "valueFrom": ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef", "fileKeyRef"),
    "fieldRef": ("apiVersion", "fieldPath"),
    "resourceFieldRef": ("containerName", "resource", "divisor"),
    "configMapKeyRef": _KEY_SELECTOR,
    "secretKeyRef": _KEY_SELECTOR,
    "fileKeyRef": ("volumeName", "path", "key", "optional"),
}


def _go_lower(ch: str) -> str:
    """One code point lower-cased with a simple (1:1) mapping, as Go's ``unicode.ToLower``."""
    low = ch.lower()
    return low[0] if low else ch


def _go_string(value: str) -> str:
    """A JSON string as Go writes it: UTF-8 kept, ``<>&`` and U+2028/9 escaped.

    Lone surrogates (invalid UTF-8 in Go terms) become U+FFFD, as Go replaces invalid bytes.
    """
    value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    text = json.dumps(value, ensure_ascii=False)
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def _go_object(obj: Mapping[str, object], struct: str) -> str:
    """A JSON object in the field order of the Go struct it was (free-form ``valueFrom``)."""
    order = _GO_FIELD_ORDER.get(struct, ())
    keys = sorted(obj, key=lambda k: (order.index(k) if k in order else len(order), k))
    items = []
    for key in keys:
        value = obj[key]
        if value is None or value == "":  # omitempty
            continue
        hashable = cast("HashInput", value)
        rendered = _go_object(value, key) if isinstance(value, Mapping) else go_json(hashable)
        items.append(f"{_go_string(key)}:{rendered}")
    return "{" + ",".join(items) + "}"


def go_json(value: HashInput) -> str:
    """Serialise one hash input exactly as the original does (compact Go ``encoding/json``).

    Args:
        value: see :data:`HashInput`.

    Raises:
        TypeError: a value of another type (floats, for instance, are never hashed).
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _go_string(value)
    if isinstance(value, EnvVar):
        fields = [f'"name":{_go_string(value.name)}']
        if value.value:
            fields.append(f'"value":{_go_string(value.value)}')
        if value.value_from:
            fields.append(f'"valueFrom":{_go_object(value.value_from, "valueFrom")}')
        return "{" + ",".join(fields) + "}"
    if isinstance(value, Mapping):
        flat: list[HashInput] = []
        for key in sorted(value):
            flat.extend((key, value[key]))
        return go_json(flat)
    if isinstance(value, Sequence):
        return "[" + ",".join(go_json(item) for item in value) + "]"
    raise TypeError(f"cannot hash a {type(value).__name__}")


def hash_inputs(inputs: Sequence[HashInput], length: int = DEFAULT_HASH_LEN) -> str:
    """The first ``length`` lower-case hex chars of SHA-256 over the ``|``-joined inputs."""
    joined = "|".join(go_json(item) for item in inputs)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:length]


def sanitize_name_part(part: str) -> str:
    """One name part: lower-case, every char outside ``[a-z0-9-]`` → ``-``, trimmed, ≤ 63.

    No collapsing of ``-`` runs (``hf://x`` → ``hf---x``); an empty result becomes ``"part"``.
    """
    chars = (_go_lower(ch) for ch in part)
    text = "".join(
        ch if ("a" <= ch <= "z" or "0" <= ch <= "9" or ch == "-") else "-" for ch in chars
    )
    text = text.strip("-")[:DNS1123_LABEL_MAX].rstrip("-")
    return text or _EMPTY_PART


def generate_derived_name(
    parts: Sequence[str],
    hash_input: Sequence[HashInput] = (),
    *,
    hash_len: int = DEFAULT_HASH_LEN,
    max_len: int = DNS1123_LABEL_MAX,
) -> str:
    """``GenerateDerivedName``: ``part1-part2-…-hash``, at most ``max_len`` characters.

    While too long, the longest part (the first on ties) loses its last character (then any
    trailing ``-``); shortening stops when the longest part is one character long, so a result
    can exceed ``max_len`` only when there are more parts than fit even at one character each.

    Args:
        parts: readable pieces, sanitised with :func:`sanitize_name_part`.
        hash_input: values serialised with :func:`go_json`; no hash when empty.
        hash_len: hex characters of hash (0: no hash).
        max_len: length limit of the result.

    Raises:
        ValueError: neither parts nor a hash.
    """
    clean = [sanitize_name_part(p) for p in parts]
    digest = hash_inputs(hash_input, hash_len) if hash_len > 0 and hash_input else ""
    if not clean and not digest:
        raise ValueError("a derived name needs parts or hash inputs")

    def length() -> int:
        total = sum(len(p) + 1 for p in clean)
        return total + len(digest) if digest else total - 1

    while clean and length() > max_len:
        longest = max(range(len(clean)), key=lambda i: (len(clean[i]), -i))
        if len(clean[longest]) <= 1:
            break
        clean[longest] = clean[longest][:-1].rstrip("-")
    return "-".join([*clean, digest] if digest else clean)


def sanitize_label_value(value: str) -> str:
    """A label value from a name: lower-case, runs outside ``[a-z0-9._-]`` → ``_``, ≤ 63.

    The ends are trimmed of ``_``, ``.`` and ``-`` before and after the cut to 63 characters.

    Raises:
        InvalidSpecError: nothing is left (e.g. a name made only of symbols).
    """
    text = _LABEL_VALUE_RUN.sub("_", "".join(_go_lower(ch) for ch in value))
    text = text.strip("_.-")[:DNS1123_LABEL_MAX].strip("_.-")
    if not text:
        raise InvalidSpecError(f"cannot make a label value of {value!r}")
    return text


def is_dns1123_label(name: str) -> bool:
    """Whether ``name`` is a valid DNS-1123 label (what Services, Jobs and PVCs need)."""
    return len(name) <= DNS1123_LABEL_MAX and bool(_DNS1123_LABEL.match(name))
