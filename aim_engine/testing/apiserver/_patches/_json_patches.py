"""JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge patch.

All three are pure: they return a new object and never mutate their inputs. Failures raise
:class:`PatchError` carrying the HTTP status and the Status body kube-apiserver answers with
(422 for a JSON patch that does not apply, 400 for a body that is not a JSON patch).

Strategic merge patch (built-in kinds only; the server answers 415 for custom resources) lives in
:mod:`aim_engine.testing.apiserver._patches._strategic` and is re-exported here.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from aim_engine.testing.apiserver._patches._strategic import strategic_merge_patch

__all__ = ["PatchError", "json_patch", "merge_patch", "strategic_merge_patch"]

_REJECTED = "the server rejected our request due to an error in our request"


class PatchError(Exception):
    """A patch that cannot be applied.

    Attributes:
        status: The HTTP status the server answers with (400 or 422).
        message: The Status message.
        cause: The detailed reason (the JSON-patch library's text), or ``""``.
    """

    def __init__(self, status: int, message: str, cause: str = "") -> None:
        """Create the error."""
        super().__init__(message if not cause else f"{message}: {cause}")
        self.status = status
        self.message = message
        self.cause = cause

    def status_body(self) -> dict[str, Any]:
        """The Status body kube-apiserver returns for this failure."""
        reason = "Invalid" if self.status == 422 else "BadRequest"
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": reason,
            "code": self.status,
        }
        if self.status == 422:
            # The real server answers a generic 422 without causes; ``cause`` stays for tests.
            body["details"] = {}
        return body


def _unprocessable(cause: str) -> PatchError:
    return PatchError(422, _REJECTED, cause)


def merge_patch(target: Any, patch: Any) -> Any:
    """Apply an RFC 7386 JSON merge patch.

    Args:
        target: The document (usually an object dict).
        patch: The merge patch.

    Returns:
        A new document; ``null`` members of the patch delete keys, objects merge recursively,
        everything else (lists included) replaces.
    """
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    result: dict[str, Any] = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return {k: v if k in patch else copy.deepcopy(v) for k, v in result.items()}


def _pointer(path: Any) -> list[str]:
    if not isinstance(path, str) or (path and not path.startswith("/")):
        raise _unprocessable(f'JSON pointer must be empty or start with a "/": {path!r}')
    if path == "":
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _index(container: list[Any], token: str, *, allow_end: bool) -> int:
    if token == "-" and allow_end:
        return len(container)
    try:
        idx = int(token)
    except ValueError:
        raise _unprocessable(f'strconv.Atoi: parsing "{token}": invalid syntax') from None
    limit = len(container) if allow_end else len(container) - 1
    if idx < 0 or idx > limit:
        raise _unprocessable(f"Unable to access invalid index: {idx}: invalid index referenced")
    return idx


def _parent(doc: Any, tokens: list[str], op: str, path: str) -> Any:
    node = doc
    for token in tokens[:-1]:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise _unprocessable(
                f'{op} operation does not apply: doc is missing path: "{path}": missing value'
            )
    return node


def _get(doc: Any, path: str, op: str) -> Any:
    tokens = _pointer(path)
    if not tokens:
        return doc
    parent = _parent(doc, tokens, op, path)
    last = tokens[-1]
    if isinstance(parent, dict) and last in parent:
        return parent[last]
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return parent[int(last)]
    raise _unprocessable(
        f'{op} operation does not apply: doc is missing path: "{path}": missing value'
    )


def _add(doc: Any, path: str, value: Any, op: str = "add") -> Any:
    tokens = _pointer(path)
    if not tokens:
        return value
    parent = _parent(doc, tokens, op, path)
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, last, allow_end=True), value)
    else:
        raise _unprocessable(f'{op} operation does not apply: doc is missing path: "{path}"')
    return doc


def _remove(doc: Any, path: str, op: str = "remove") -> Any:
    tokens = _pointer(path)
    if not tokens:
        raise _unprocessable(f'{op} operation does not apply: doc is missing path: "{path}"')
    parent = _parent(doc, tokens, op, path)
    last = tokens[-1]
    if isinstance(parent, dict) and last in parent:
        del parent[last]
    elif isinstance(parent, list):
        del parent[_index(parent, last, allow_end=False)]
    else:
        raise _unprocessable(
            f'{op} operation does not apply: doc is missing path: "{path}": missing value'
        )
    return doc


def _replace(doc: Any, path: str, value: Any) -> Any:
    tokens = _pointer(path)
    if not tokens:
        return value
    parent = _parent(doc, tokens, "replace", path)
    last = tokens[-1]
    if isinstance(parent, dict):  # a missing member is set, as kube-apiserver's JSON patch does
        parent[last] = value
    elif isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        parent[int(last)] = value
    else:
        raise _unprocessable(
            f"replace operation does not apply: doc is missing key: {path}: missing value"
        )
    return doc


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _apply_op(doc: Any, op: Mapping[str, Any]) -> Any:
    kind = op.get("op")
    path = op.get("path")
    if not isinstance(path, str):
        raise _unprocessable(f"missing path in {kind} operation")
    if kind in ("add", "replace", "test") and "value" not in op:
        raise _unprocessable(f"missing value in {kind} operation")
    if kind == "add":
        return _add(doc, path, copy.deepcopy(op["value"]))
    if kind == "remove":
        return _remove(doc, path)
    if kind == "replace":
        return _replace(doc, path, copy.deepcopy(op["value"]))
    if kind in ("move", "copy"):
        source = op.get("from")
        if not isinstance(source, str):
            raise _unprocessable(f"missing from in {kind} operation")
        if kind == "move" and (path + "/").startswith(source + "/") and path != source:
            raise _unprocessable(f"move operation does not apply: cannot move {source} into {path}")
        try:
            value = copy.deepcopy(_get(doc, source, kind))
        except PatchError:
            raise _unprocessable(
                f"{kind} operation does not apply: doc is missing from path: {source}: "
                "missing value"
            ) from None
        if kind == "move":
            doc = _remove(doc, source, "move")
        return _add(doc, path, value, kind)
    if kind == "test":
        current = _test_target(doc, path)
        if current is _MISSING_PARENT:
            raise _unprocessable(
                f"test operation does not apply: is missing path: {path}: missing value"
            )
        if not _equal(current, op["value"]):
            raise _unprocessable(f"testing value {path} failed: test failed")
        return doc
    raise _unprocessable(f"Unexpected kind: {kind}: unknown object type")


_MISSING_PARENT = object()


def _test_target(doc: Any, path: str) -> Any:
    """The value a ``test`` compares: None for an absent member, a marker for no parent."""
    tokens = _pointer(path)
    if not tokens:
        return doc
    try:
        parent = _parent(doc, tokens, "test", path)
    except PatchError:
        return _MISSING_PARENT
    last = tokens[-1]
    if isinstance(parent, dict):
        return parent.get(last)
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return parent[int(last)]
    return None


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    return "array"


def json_patch(target: Any, ops: Any) -> Any:
    """Apply an RFC 6902 JSON patch.

    Args:
        target: The document.
        ops: The list of operations.

    Returns:
        The patched document (a new one).

    Raises:
        PatchError: 400 when ``ops`` is not a list of operation objects, 422 when an operation
            does not apply (a failed ``test``, a missing path, an index out of range).
    """
    if ops is None:
        return copy.deepcopy(target)
    if not isinstance(ops, list):
        raise PatchError(
            400, f"json: cannot unmarshal {_json_kind(ops)} into Go value of type jsonpatch.Patch"
        )
    for op in ops:
        if not isinstance(op, Mapping):
            raise PatchError(
                400,
                f"json: cannot unmarshal {_json_kind(op)} into Go value of type "
                "jsonpatch.Operation",
            )
    doc = copy.deepcopy(target)
    for op in ops:
        doc = _apply_op(doc, op)
    return doc
