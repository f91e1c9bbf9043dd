"""Structured logging context: fields bound per task, stamped on every record.

The framework only ever calls ``logging.getLogger(__name__)`` with constant messages and data in
``extra=``; it never configures handlers. What it adds is *context*: the controller worker binds
``controller``, ``kind``, ``namespace``, ``name`` and ``reconcile_id`` around each reconcile with
:func:`bind`, and :class:`ContextFilter`, installed on a handler by the program's entry point,
copies those fields onto every record logged inside that reconcile, including records logged by
the client or by user code that knows nothing about the controller.

The context lives in a :class:`contextvars.ContextVar`, so it follows asyncio tasks: a task started
inside a bound block inherits the fields, and concurrent reconciles never see each other's.

:class:`JsonFormatter` renders one JSON object per line; the operator CLI installs it. Example::

    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from types import MappingProxyType

__all__ = ["CONTEXT_ATTR", "ContextFilter", "JsonFormatter", "bind", "bound_fields"]

_EMPTY: Mapping[str, object] = MappingProxyType({})
_FIELDS: ContextVar[Mapping[str, object]] = ContextVar("aim_engine_log_fields", default=_EMPTY)

# Attributes every LogRecord has; anything else on a record came from ``extra=`` or a filter.
_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None)).keys()
    | {"message", "asctime", "taskName"}
)


@contextlib.contextmanager
def bind(**fields: object) -> Iterator[Mapping[str, object]]:
    """Bind ``fields`` to the current context for the duration of the ``with`` block.

    Nested blocks add to (and may override) the outer fields; leaving a block restores the outer
    set exactly.

    Args:
        **fields: snake_case keys and JSON-friendly values (``namespace="ns"``).

    Yields:
        The full set of fields now bound (read-only).
    """
    merged = MappingProxyType({**_FIELDS.get(), **fields})
    token = _FIELDS.set(merged)
    try:
        yield merged
    finally:
        _FIELDS.reset(token)


def bound_fields() -> Mapping[str, object]:
    """The fields bound in the current context (read-only, possibly empty)."""
    return _FIELDS.get()


CONTEXT_ATTR = "log_context"
"""The record attribute where :class:`ContextFilter` puts the whole bound mapping."""


class ContextFilter(logging.Filter):
    """Copy the bound context fields onto each record that passes through.

    The whole mapping goes to ``record.log_context``; each field is also set as a record attribute
    (for ``%(namespace)s``-style formats) unless the record already has that attribute: fields
    passed explicitly with ``extra=`` win, and a field named like a built-in ``LogRecord``
    attribute (``name`` is the logger's name there) is only in ``log_context``. Install the filter
    on handlers (filters on a logger do not apply to records from its child loggers).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Stamp the bound fields on ``record``; never drops a record."""
        fields = _FIELDS.get()
        if not hasattr(record, CONTEXT_ATTR):
            setattr(record, CONTEXT_ATTR, fields)
        for key, value in fields.items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class JsonFormatter(logging.Formatter):
    """Format records as one JSON object per line.

    Keys: ``time`` (RFC 3339, UTC, milliseconds), ``level``, ``logger``, ``message``, then the
    bound context (``record.log_context``, so a bound ``name`` appears as ``name``), then every
    other extra field of the record, then ``exception`` with the formatted traceback when there
    is one. Values JSON cannot encode are rendered with ``str``.
    """

    def format(self, record: logging.LogRecord) -> str:
        """Render ``record`` as a JSON line."""
        out: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = getattr(record, CONTEXT_ATTR, None)
        if isinstance(context, Mapping):
            for key, value in context.items():
                out.setdefault(str(key), value)
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and key != CONTEXT_ATTR and key not in out:
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exception"] = record.exc_text
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, default=str, ensure_ascii=False)
