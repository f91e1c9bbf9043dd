"""Reading a write's body under kube-apiserver's request size limit.

kube-apiserver reads a create, update, patch or delete body up to ``--max-request-body-bytes``
(3 MiB by default); a longer one is a 413 ``Request entity too large: limit is 3145728`` Status,
whatever its size. The fake stops reading at the limit too, so a 100 MiB body costs no more than
a 3 MiB one.
"""

from __future__ import annotations

from aiohttp import web

from aim_engine.testing.apiserver._status import StatusError, status_body

__all__ = ["MAX_REQUEST_BODY_BYTES", "read_body"]

MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024
"""kube-apiserver's default ``--max-request-body-bytes``."""
_CHUNK = 256 * 1024


async def read_body(request: web.Request, limit: int = MAX_REQUEST_BODY_BYTES) -> bytes:
    """The request body, refused once it is longer than ``limit``.

    Raises:
        StatusError: 413 ``RequestEntityTooLarge``.
    """
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(_CHUNK):
        size += len(chunk)
        if size > limit:
            message = f"Request entity too large: limit is {limit}"
            raise StatusError(413, status_body(413, "RequestEntityTooLarge", message))
        chunks.append(chunk)
    return b"".join(chunks)
