"""Regenerate the shipped schemas of the fake API server's built-in kinds from a real server.

The fake checks bodies of built-in kinds (ConfigMap, Pod, Deployment...) against the schemas a
real kube-apiserver publishes under ``/openapi/v3``. This command fetches those documents once,
keeps the definitions the served built-in kinds reach (see :data:`aim_engine.kinds.BUILTIN_KINDS`)
and only the schema keywords the fake reads (types, formats, properties, items, maps, references
and the ``x-kubernetes-*`` extensions), and writes them as one compact JSON file that ships in
the package (:data:`DATA_FILE`)::

    # against a running kube-apiserver (for example `python -m aim_engine.testing.envtest run`)
    python -m aim_engine.testing.apiserver._schema._builtin_schema_gen \
        --kubeconfig /tmp/envtest.kubeconfig

    # or from a directory of saved documents named like kubernetes' api/openapi-spec/v3
    # (api__v1_openapi.json, apis__apps__v1_openapi.json, ...)
    python -m aim_engine.testing.apiserver._schema._builtin_schema_gen \
        --openapi-dir api/openapi-spec/v3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from aim_engine.kinds import BUILTIN_KINDS

__all__ = ["DATA_FILE", "build_data", "main", "trim_schema"]

DATA_FILE = Path(__file__).with_name("data") / "builtin_schemas.json"
"""Where the shipped schemas live (package data)."""

_REF_PREFIX = "#/components/schemas/"
_KEPT = frozenset(
    {
        "type",
        "format",
        "x-kubernetes-int-or-string",
        "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-embedded-resource",
        "x-kubernetes-list-type",
        "x-kubernetes-list-map-keys",
        "x-kubernetes-map-type",
        "x-kubernetes-patch-strategy",
        "x-kubernetes-patch-merge-key",
    }
)
_SUBSCHEMA_LISTS = ("allOf", "oneOf", "anyOf")


def _ref(raw: str) -> str:
    return raw[len(_REF_PREFIX) :] if raw.startswith(_REF_PREFIX) else raw


def trim_schema(node: Mapping[str, Any]) -> dict[str, Any]:
    """One schema node without descriptions, defaults and other keywords the fake ignores.

    ``allOf`` with a single ``$ref`` (how OpenAPI v3 documents attach a default to a reference)
    becomes that ``$ref``; references are shortened to the definition name.
    """
    out: dict[str, Any] = {k: node[k] for k in _KEPT if k in node}
    if "$ref" in node:
        out["$ref"] = _ref(str(node["$ref"]))
    props = node.get("properties")
    if isinstance(props, Mapping):
        out["properties"] = {str(k): trim_schema(v) for k, v in props.items()}
    if isinstance(node.get("items"), Mapping):
        out["items"] = trim_schema(node["items"])
    extra = node.get("additionalProperties")
    if isinstance(extra, Mapping):
        out["additionalProperties"] = trim_schema(extra)
    elif isinstance(extra, bool):
        out["additionalProperties"] = extra
    for key in _SUBSCHEMA_LISTS:
        subs = node.get(key)
        if not isinstance(subs, list):
            continue
        if key == "allOf" and len(subs) == 1 and "$ref" in subs[0]:
            out["$ref"] = _ref(str(subs[0]["$ref"]))
        else:
            out[key] = [trim_schema(s) for s in subs]
    return out


def _refs(node: Any) -> Iterable[str]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _gvk_matches(schema: Mapping[str, Any], group: str, version: str, kind: str) -> bool:
    return any(
        g.get("group", "") == group and g.get("version") == version and g.get("kind") == kind
        for g in schema.get("x-kubernetes-group-version-kind") or ()
    )


def _gvks(document: Mapping[str, Any]) -> Iterable[str]:
    for schema in document.get("components", {}).get("schemas", {}).values():
        for g in schema.get("x-kubernetes-group-version-kind") or ():
            group, version = g.get("group", ""), g.get("version", "")
            yield f"{group}/{version}/{g.get('kind')}" if group else f"{version}/{g.get('kind')}"


def build_data(fetch: Callable[[str], Mapping[str, Any]], source: str) -> dict[str, Any]:
    """The data file's content.

    Args:
        fetch: Returns the OpenAPI v3 document of a group/version path (``api/v1``,
            ``apis/apps/v1``).
        source: Where the documents came from (recorded in the file).

    Returns:
        ``{"source", "kinds": {"<apiVersion>/<Kind>": definition}, "definitions": {...},
        "registered": [...]}``; ``registered`` lists every ``<apiVersion>/<Kind>`` the fetched
        documents name (what the server's scheme decodes, for the kind-mismatch messages).

    Raises:
        KeyError: A served kind has no definition in its document.
    """
    documents: dict[str, Mapping[str, Any]] = {}
    kinds: dict[str, str] = {}
    schemas: dict[str, Mapping[str, Any]] = {}
    registered: set[str] = set()
    for k in BUILTIN_KINDS:
        path = f"apis/{k.group}/{k.version}" if k.group else f"api/{k.version}"
        if path not in documents:
            documents[path] = fetch(path)
            schemas.update(documents[path].get("components", {}).get("schemas", {}))
            registered.update(_gvks(documents[path]))
        found = [
            name
            for name, schema in documents[path].get("components", {}).get("schemas", {}).items()
            if _gvk_matches(schema, k.group, k.version, k.kind)
        ]
        if not found:
            raise KeyError(f"no schema for {k.kind} in /openapi/v3/{path}")
        api_version = f"{k.group}/{k.version}" if k.group else k.version
        kinds[f"{api_version}/{k.kind}"] = found[0]
    definitions: dict[str, Any] = {}
    pending = sorted(set(kinds.values()))
    while pending:
        name = pending.pop()
        if name in definitions:
            continue
        trimmed = trim_schema(schemas[name])
        definitions[name] = trimmed
        pending.extend(r for r in _refs(trimmed) if r not in definitions)
    return {
        "source": source,
        "kinds": kinds,
        "definitions": definitions,
        "registered": sorted(registered),
    }


def _from_dir(directory: Path) -> Callable[[str], Mapping[str, Any]]:
    def fetch(path: str) -> Mapping[str, Any]:
        name = path.replace("/", "__") + "_openapi.json"
        loaded: Mapping[str, Any] = json.loads((directory / name).read_text(encoding="utf-8"))
        return loaded

    return fetch


async def _fetch_all(kubeconfig: str) -> tuple[dict[str, Any], str]:
    from kubernetes_asyncio import client, config

    configuration = client.Configuration()
    await config.load_kube_config(config_file=kubeconfig, client_configuration=configuration)
    docs: dict[str, Any] = {}
    async with client.ApiClient(configuration) as api:

        async def get(path: str) -> Any:
            resp = await api.call_api(
                path,
                "GET",
                header_params={"Accept": "application/json"},
                auth_settings=["BearerToken"],
                _preload_content=False,
                _return_http_data_only=True,
            )
            try:
                return json.loads(await resp.text())
            finally:
                resp.release()

        version = await get("/version")
        for k in BUILTIN_KINDS:
            path = f"apis/{k.group}/{k.version}" if k.group else f"api/{k.version}"
            if path not in docs:
                docs[path] = await get(f"/openapi/v3/{path}")
    return docs, f"kube-apiserver {version.get('gitVersion', '?')} /openapi/v3"


def main(argv: list[str] | None = None) -> int:
    """Command line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(
        prog="python -m aim_engine.testing.apiserver._schema._builtin_schema_gen",
        description="Regenerate the fake API server's built-in kind schemas.",
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--kubeconfig", help="fetch /openapi/v3 from this cluster")
    where.add_argument("--openapi-dir", type=Path, help="read saved OpenAPI v3 documents")
    parser.add_argument("--out", type=Path, default=DATA_FILE, help="output file")
    args = parser.parse_args(argv)
    if args.kubeconfig:
        docs, source = asyncio.run(_fetch_all(args.kubeconfig))
        data = build_data(docs.__getitem__, source)
    else:
        data = build_data(_from_dir(args.openapi_dir), f"{args.openapi_dir.name} (saved documents)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    args.out.write_text(text + "\n", encoding="utf-8")
    sys.stdout.write(
        f"wrote {args.out} ({len(text)} bytes, {len(data['definitions'])} definitions)\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
