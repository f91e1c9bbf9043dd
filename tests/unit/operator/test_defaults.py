"""The operator's own defaults: values of the original, and the discovery backoff."""

from __future__ import annotations

import pytest

from controllers.__main__ import LEADER_ELECTION_ID
from controllers.defaults import Defaults, discovery_backoff_seconds
from controllers.environment import EnvVars
from controllers.finalizers import Finalizers


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(0, 0.0), (1, 60.0), (2, 120.0), (6, 1920.0), (7, 3600.0), (99, 3600.0)],
)
def test_discovery_backoff(attempts: int, seconds: float) -> None:
    assert discovery_backoff_seconds(attempts) == seconds


def test_values_of_the_original() -> None:
    assert Defaults.INFERENCE_PORT == 8000
    assert Defaults.OPERATOR_NAMESPACE == "aim-system"
    assert Defaults.CACHE_BASE_PATH == "/workspace/cache"
    assert Defaults.SHM_SIZE == "8Gi"
    assert Defaults.MAX_CONCURRENT_DISCOVERY_JOBS == 10
    assert LEADER_ELECTION_ID == Defaults.LEADER_ELECTION_ID == "3be10d2f.eai.amd.com"
    assert EnvVars.AIM_CACHE_PATH == "AIM_CACHE_PATH"
    assert Finalizers.ARTIFACT_CLEANUP == "aim.eai.amd.com/artifactcleanup"
