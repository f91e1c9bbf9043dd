"""The operator configuration every controller setup receives."""

from __future__ import annotations

import socket

from controllers.config import OperatorConfig


def test_identity_is_the_pod_name_else_the_host_name() -> None:
    config = OperatorConfig.from_environment({"POD_NAME": "aim-engine-7d9f-x2"}, namespace="ops")
    assert config == OperatorConfig(namespace="ops", identity="aim-engine-7d9f-x2")
    fallback = OperatorConfig.from_environment({})
    assert fallback.namespace == "aim-system"
    assert fallback.identity == socket.gethostname()
