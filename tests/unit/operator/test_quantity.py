"""Resource quantities: parsing and Go's canonical binary-SI printing of byte counts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aim_engine.errors import InvalidSpecError
from controllers.quantity import format_binary_si, parse_quantity, quantity_bytes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (5, Decimal(5)),
        ("64Gi", Decimal(64 * 1024**3)),
        ("1.5Ki", Decimal(1536)),
        ("192G", Decimal(192 * 10**9)),
        ("500m", Decimal("0.5")),
        ("1e3", Decimal(1000)),
        ("2E-1", Decimal("0.2")),
        (".5", Decimal("0.5")),
        ("+7", Decimal(7)),
        ("1Ei", Decimal(1024**6)),
    ],
)
def test_parse_quantity(text: int | str, expected: Decimal) -> None:
    assert parse_quantity(text) == expected


@pytest.mark.parametrize("text", ["", "Gi", "64GB", "1.2.3", "64 Gi", "ten"])
def test_parse_quantity_rejects_garbage(text: str) -> None:
    with pytest.raises(InvalidSpecError):
        parse_quantity(text)


def test_quantity_bytes_rounds_up() -> None:
    assert quantity_bytes("1500m") == 2
    assert quantity_bytes("64Gi") == 64 * 1024**3


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (0, "0"),
        (1023, "1023"),
        (1024, "1Ki"),
        (1536, "1536"),
        (1536 * 1024**2, "1536Mi"),
        (192 * 1024**3, "192Gi"),
        (int(61.04 * 1024**3), str(int(61.04 * 1024**3))),
        (1024**6, "1Ei"),
        (1024**7, "1024Ei"),
    ],
)
def test_format_binary_si(amount: int, expected: str) -> None:
    assert format_binary_si(amount) == expected
