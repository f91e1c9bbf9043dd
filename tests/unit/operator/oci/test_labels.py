"""AIM label parsing (spec §5.3.4 step 5): a table of label sets → metadata or a typed error."""

from __future__ import annotations

import json

import pytest

from controllers.oci import ImageMetadataError, parse_labels
from controllers.oci.labels import (
    MAX_DEPLOYMENTS,
    MAX_DEPLOYMENTS_BYTES,
    MAX_LABELS_BYTES,
    parse_recommended_deployments,
)

AIM = "com.amd.aim."
OLD = "org.amd.silogen."
DEPLOY = AIM + "model.recommendedDeployments"


def test_full_label_set_maps_every_field():
    labels = {
        AIM + "model.canonicalName": "Qwen/Qwen3-32B",
        AIM + "model.source": "hf://Qwen/Qwen3-32B",
        AIM + "title": "Qwen 3",
        AIM + "description.full": "A model",
        AIM + "release.notes": "first",
        AIM + "model.tags": "chat, text ,",
        AIM + "model.versions": "0.8.5,0.9.0",
        AIM + "model.variants": "fp8",
        AIM + "hfToken.required": "True",
        DEPLOY: '[{"gpuModel": "MI300X", "gpuCount": 2, "precision": "fp8", "metric": "latency",'
        ' "profileId": "p1", "description": "d", "unknown": 1}]',
        "org.opencontainers.image.title": "aim-qwen",
        "org.opencontainers.image.version": "0.8.5",
        "org.opencontainers.image.licenses": "Apache-2.0",
        "unrelated": "kept",
    }
    meta = parse_labels(labels)
    assert meta.model is not None
    assert meta.model.canonical_name == "Qwen/Qwen3-32B"
    assert meta.model.source == "hf://Qwen/Qwen3-32B"
    assert meta.model.title == "Qwen 3"
    assert meta.model.description_full == "A model"
    assert meta.model.release_notes == "first"
    assert meta.model.tags == ["chat", "text"]
    assert meta.model.versions == ["0.8.5", "0.9.0"]
    assert meta.model.variants == ["fp8"]
    assert meta.model.hf_token_required is True
    (dep,) = meta.model.recommended_deployments or []
    assert (dep.gpu_model, dep.gpu_count, dep.precision, dep.metric, dep.profile_id) == (
        "MI300X",
        2,
        "fp8",
        "latency",
        "p1",
    )
    assert meta.oci is not None
    assert (meta.oci.title, meta.oci.version, meta.oci.licenses) == (
        "aim-qwen",
        "0.8.5",
        "Apache-2.0",
    )
    assert meta.original_labels == labels


def test_new_prefix_wins_over_the_legacy_one_and_legacy_alone_works():
    both = parse_labels({AIM + "model.canonicalName": "new", OLD + "model.canonicalName": "old"})
    legacy = parse_labels({OLD + "model.canonicalName": "old", OLD + "hfToken.required": "0"})
    assert both.model is not None
    assert both.model.canonical_name == "new"
    assert legacy.model is not None
    assert legacy.model.canonical_name == "old"
    assert legacy.model.hf_token_required is False


@pytest.mark.parametrize("labels", [None, {}, {"maintainer": "someone"}])
def test_an_image_without_aim_labels_has_no_model_section_and_is_no_error(labels):
    meta = parse_labels(labels)
    assert meta.model is None
    assert meta.oci is None
    assert meta.original_labels == dict(labels or {})


@pytest.mark.parametrize(
    ("value", "gpus"),
    [
        ('[{"gpuModel": "MI300X", "gpuCount": 1}]', [1]),
        ('{"gpuModel": "MI300X", "gpuCount": 1}, {"gpuModel": "MI325X", "gpuCount": 8}', [1, 8]),
        ("[{'gpuModel': 'MI300X', 'gpuCount': 4}]", [4]),
        ("{'gpuModel': 'MI300X', 'gpuCount': 2}", [2]),
        ("[]", []),
        ('[{"gpuCount": "2"}]', [2]),
    ],
)
def test_recommended_deployments_accepts_the_three_written_forms(value, gpus):
    assert [d.gpu_count for d in parse_recommended_deployments(value)] == gpus


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("[{", "not valid JSON"),
        ("not json", "not valid JSON"),
        ('{"a": 1', "not valid JSON"),
        ('"just a string"', "not an array of objects"),
        ("[1, 2]", "not an array of objects"),
        ('[{"gpuCount": "many"}]', "field gpuCount"),
        ('[{"gpuModel": ["x"]}]', "field gpuModel"),
        ("[" * 50 + "]" * 50, "nested 50 levels deep"),
        ('[{"a": {"b": {"c": {"d": 1}}}}]', "nested 5 levels deep"),
        ("[" + ",".join(["{}"] * (MAX_DEPLOYMENTS + 1)) + "]", f"lists {MAX_DEPLOYMENTS + 1}"),
        ('[{"description": "' + "x" * MAX_DEPLOYMENTS_BYTES + '"}]', "larger than"),
    ],
)
def test_bad_recommended_deployments_raise_a_typed_error_naming_the_label(value, problem):
    with pytest.raises(ImageMetadataError) as info:
        parse_labels({DEPLOY: value})
    assert problem in str(info.value)
    assert DEPLOY in str(info.value)
    assert info.value.label == DEPLOY
    assert info.value.reason == "InvalidImageMetadata"


def test_brackets_inside_strings_do_not_count_as_nesting():
    value = json.dumps([{"description": "[[[[[[[[[[{{{{{{{{"}])
    (dep,) = parse_recommended_deployments(value)
    assert dep.description == "[[[[[[[[[[{{{{{{{{"


@pytest.mark.parametrize(
    ("labels", "problem"),
    [
        ({AIM + "hfToken.required": "perhaps"}, "not a boolean"),
        ({"x": 1}, "label x is not a string"),
        ({"big": "x" * (MAX_LABELS_BYTES + 1)}, "labels take"),
    ],
)
def test_other_bad_labels_raise_typed_errors(labels, problem):
    with pytest.raises(ImageMetadataError) as info:
        parse_labels(labels)
    assert problem in str(info.value)
    assert info.value.reason == "InvalidImageMetadata"


def _nulls(value: object) -> list[str]:
    if isinstance(value, dict):
        return [k for k, v in value.items() if v is None] + [
            n for v in value.values() for n in _nulls(v)
        ]
    if isinstance(value, list):
        return [n for v in value for n in _nulls(v)]
    return []


@pytest.mark.parametrize(
    "labels",
    [
        {"com.amd.aim.model.canonicalName": "org/model"},
        {"org.opencontainers.image.version": "1.0"},
        {},
    ],
)
def test_wire_form_has_no_nulls_for_what_the_labels_do_not_say(labels):
    # status.imageMetadata: the CRD schema refuses null for its string/array/boolean fields
    wire = parse_labels(labels).to_wire()
    assert _nulls(wire) == []
    assert wire["originalLabels"] == labels
