"""Kubernetes resource quantities: parse ``64Gi``/``1.5T``/``500m`` and print bytes as binary SI.

The operator compares VRAM sizes (``minVram`` against GPU tables and node labels) and writes model
sizes into template status, so it needs the quantity grammar of ``k8s.io/apimachinery`` and the
canonical form Go prints for a byte count: the largest power of 1024 that divides it exactly
(``192Gi``), plain digits otherwise.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

from aim_engine.errors import InvalidSpecError

__all__ = ["format_binary_si", "parse_quantity", "quantity_bytes"]

_QUANTITY = re.compile(
    r"^(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+))"
    r"(?:(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE](?P<exp>[+-]?\d+))?$"
)
_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY_SUFFIXES = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")


def parse_quantity(value: int | str) -> Decimal:
    """The exact value of a quantity (``"64Gi"`` → ``68719476736``, ``"500m"`` → ``0.5``).

    Raises:
        InvalidSpecError: not a quantity.
    """
    if isinstance(value, int):
        return Decimal(value)
    match = _QUANTITY.match(value.strip())
    if match is None:
        raise InvalidSpecError(f"{value!r} is not a resource quantity")
    try:
        number = Decimal(match["number"])
        exp = int(match["exp"]) if match["exp"] is not None else None
    except (InvalidOperation, ValueError) as exc:  # pragma: no cover - the regex guarantees it
        raise InvalidSpecError(f"{value!r} is not a resource quantity") from exc
    suffix = match["suffix"]
    if suffix in _BINARY:
        return number * (Decimal(1024) ** _BINARY[suffix])
    if suffix in _DECIMAL:
        return number.scaleb(_DECIMAL[suffix])
    return number.scaleb(exp) if exp is not None else number


def quantity_bytes(value: int | str) -> int:
    """A quantity of bytes as an integer, rounded up as Kubernetes does (``Value()``).

    Raises:
        InvalidSpecError: not a quantity.
    """
    return math.ceil(parse_quantity(value))


def format_binary_si(amount: int) -> str:
    """Bytes in Go's canonical binary-SI form: ``192Gi``, ``1536Mi``, or plain digits."""
    if -1024 < amount < 1024:
        return str(amount)
    exponent = 0
    while amount % 1024 == 0 and exponent < len(_BINARY_SUFFIXES) - 1:
        amount //= 1024
        exponent += 1
    return f"{amount}{_BINARY_SUFFIXES[exponent]}"
