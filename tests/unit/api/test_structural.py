"""The structural-schema converter and checker."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, ConfigDict, Field

from aim_engine.api.structural import StructuralError, make_structural, structural_problems
from aim_engine.api.v1alpha1.base import Quantity


class _Inner(BaseModel):
    """Inner doc."""

    model_config = ConfigDict(
        json_schema_extra={"x-kubernetes-validations": [{"rule": "a", "message": "inner"}]}
    )
    size: Quantity | None = None


class _Outer(BaseModel):
    kind: Annotated[str, Field(pattern="^a$")] = "a"
    mode: str = Field(default="x", json_schema_extra={"const": "x"})
    inner: _Inner | None = Field(
        default=None,
        json_schema_extra={"x-kubernetes-validations": [{"rule": "b", "message": "outer"}]},
    )
    items: list[_Inner] = []
    labels: dict[str, str] | None = None


def test_refs_nullable_unions_and_titles_are_removed() -> None:
    schema = make_structural(_Outer.model_json_schema())
    assert structural_problems(schema) == []
    inner = schema["properties"]["inner"]
    assert inner["type"] == "object"
    assert [r["message"] for r in inner["x-kubernetes-validations"]] == ["inner", "outer"]
    assert inner["properties"]["size"]["x-kubernetes-int-or-string"] is True
    assert "default" not in inner
    assert schema["properties"]["items"]["items"]["type"] == "object"
    assert schema["properties"]["labels"] == {
        "type": "object",
        "additionalProperties": {"type": "string"},
    }
    assert schema["properties"]["mode"]["enum"] == ["x"]
    assert "title" not in str(schema)


def test_a_real_union_is_refused() -> None:
    class Bad(BaseModel):
        value: int | str | None = None

    with pytest.raises(StructuralError, match="union"):
        make_structural(Bad.model_json_schema())


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ({"type": "object", "properties": {"a": {"$ref": "#/x"}}}, ".a: has $ref"),
        ({"type": "object", "properties": {"a": {"description": "d"}}}, ".a: no type"),
        ({"anyOf": [{"type": "string"}], "type": "string"}, "anyOf outside int-or-string"),
        ({"type": "object", "additionalProperties": False}, "additionalProperties false"),
        ({"type": "array", "items": {"title": "t", "type": "string"}}, "[*]: has title"),
    ],
)
def test_checker_finds_problems(schema: dict[str, object], problem: str) -> None:
    assert any(problem in p for p in structural_problems(schema))
