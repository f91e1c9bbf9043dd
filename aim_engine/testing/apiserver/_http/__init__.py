"""The HTTP room of the fake API server: the wire, from the socket to a verb and back.

The aiohttp application and its middleware, URL parsing, the per-request dispatch on the API
verb, query options and body decoding (JSON, YAML, protobuf), discovery and OpenAPI documents,
Table output, watch streams, fault injection and the request log. Nothing below this room knows
about aiohttp requests; see ``docs/guides/fake-apiserver-internals.md``.
"""
