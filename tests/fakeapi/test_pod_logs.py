"""``pods/log``: the fake API server serves test-supplied logs; Client.pod_logs reads them.

The option checks, the 404 and the container errors come from kube-apiserver itself, so those
tests run on a real server too. A real server without kubelets answers an unbound pod's log with
an empty body; reading a text a test wrote needs the fake (``fake_only``: a real server has no
way to be told a container's log, and proxies ``pods/log`` to a kubelet that envtest lacks).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from aim_engine.client import ApiPodLogReader, Client, PodLogReader
from aim_engine.errors import BadRequestError, ConfigurationError, InvalidError, NotFoundError
from aim_engine.kinds import POD
from aim_engine.testing.apiserver import FakeApiServer
from aim_engine.testing.pytest_plugin import TestCluster


def pod(name: str, namespace: str, *containers: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"containers": [{"name": c, "image": "busybox"} for c in containers]},
    }


@pytest_asyncio.fixture
async def client(aim_client: Client) -> AsyncIterator[Client]:
    yield aim_client


def fake(kube: TestCluster) -> FakeApiServer:
    assert kube.fake is not None
    return kube.fake


async def test_missing_pod_is_404(client: Client, namespace: str) -> None:
    with pytest.raises(NotFoundError) as err:
        await client.pod_logs(namespace, "nope")
    assert err.value.message == 'pods "nope" not found'


async def test_several_containers_need_a_name(client: Client, namespace: str) -> None:
    await client.create(POD, pod("multi", namespace, "main", "side"))
    with pytest.raises(BadRequestError) as err:
        await client.pod_logs(namespace, "multi")
    assert err.value.message == (
        "a container name must be specified for pod multi, choose one of: [main side]"
    )


async def test_unknown_container_is_400(client: Client, namespace: str) -> None:
    await client.create(POD, pod("one", namespace, "main"))
    with pytest.raises(BadRequestError) as err:
        await client.pod_logs(namespace, "one", "other")
    assert err.value.message == "container other is not valid for pod one"


async def test_invalid_options_are_422(client: Client, namespace: str) -> None:
    await client.create(POD, pod("opts", namespace, "main"))
    with pytest.raises(InvalidError) as tail:
        await client.pod_logs(namespace, "opts", tail_lines=-1)
    assert "tailLines: Invalid value: -1: must be greater than or equal to 0" in tail.value.message
    with pytest.raises(InvalidError) as limit:
        await client.pod_logs(namespace, "opts", limit_bytes=0)
    assert "limitBytes: Invalid value: 0: must be greater than 0" in limit.value.message


async def test_unbound_pod_without_log_is_empty(client: Client, namespace: str) -> None:
    await client.create(POD, pod("quiet", namespace, "main"))
    assert await client.pod_logs(namespace, "quiet") == ""


@pytest.mark.fake_only
async def test_log_served_as_plain_text(kube: TestCluster, client: Client, namespace: str) -> None:
    await client.create(POD, pod("talk", namespace, "main", "side"))
    fake(kube).set_pod_log(namespace, "talk", "main", "one\ntwo\nthree\n")
    fake(kube).set_pod_log(namespace, "talk", "side", "side line\n")
    assert await client.pod_logs(namespace, "talk", "main") == "one\ntwo\nthree\n"
    assert await client.pod_logs(namespace, "talk", "side") == "side line\n"
    reader: PodLogReader = ApiPodLogReader(client)
    assert await reader.read(namespace, "talk", "main", tail_lines=1) == "three\n"


@pytest.mark.fake_only
async def test_tail_lines_then_limit_bytes(
    kube: TestCluster, client: Client, namespace: str
) -> None:
    await client.create(POD, pod("cut", namespace, "main"))
    fake(kube).set_pod_log(namespace, "cut", "main", "alpha\nbeta\ngamma\n")
    assert await client.pod_logs(namespace, "cut", tail_lines=2) == "beta\ngamma\n"
    assert await client.pod_logs(namespace, "cut", tail_lines=0) == ""
    assert await client.pod_logs(namespace, "cut", limit_bytes=8) == "alpha\nbe"
    assert await client.pod_logs(namespace, "cut", tail_lines=2, limit_bytes=3) == "bet"


@pytest.mark.fake_only
async def test_raw_http_answer_is_text_plain(kube: TestCluster, namespace: str) -> None:
    import aiohttp

    server = fake(kube)
    server.create(pod("raw", namespace, "main"))
    server.set_pod_log(namespace, "raw", "main", "hello\nworld\n")
    url = f"{server.url}/api/v1/namespaces/{namespace}/pods/raw/log"
    headers = {"Authorization": f"Bearer {server.token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.get(url, params={"container": "main", "follow": "true"}) as resp:
            assert resp.status == 200
            assert resp.content_type == "text/plain"
            assert await resp.text() == "hello\nworld\n"
        async with session.get(url, params={"timestamps": "true", "tailLines": "1"}) as resp:
            stamped = await resp.text()
    stamp, _, line = stamped.partition(" ")
    assert line == "world\n"
    assert stamp.endswith("Z")
    assert "T" in stamp


@pytest.mark.fake_only
async def test_previous_run(kube: TestCluster, client: Client, namespace: str) -> None:
    await client.create(POD, pod("again", namespace, "main"))
    with pytest.raises(BadRequestError) as err:
        await client.pod_logs(namespace, "again", previous=True)
    assert err.value.message == 'previous terminated container "main" in pod "again" not found'
    fake(kube).set_pod_log(namespace, "again", "main", "first run\n", previous=True)
    fake(kube).set_pod_log(namespace, "again", "main", "second run\n")
    assert await client.pod_logs(namespace, "again", previous=True) == "first run\n"
    assert await client.pod_logs(namespace, "again") == "second run\n"


@pytest.mark.fake_only
async def test_log_goes_with_the_pod(kube: TestCluster, client: Client, namespace: str) -> None:
    await client.create(POD, pod("brief", namespace, "main"))
    fake(kube).set_pod_log(namespace, "brief", "main", "old\n")
    await client.delete(POD, "brief", namespace)
    await client.create(POD, pod("brief", namespace, "main"))
    assert await client.pod_logs(namespace, "brief") == ""


@pytest.mark.fake_only
async def test_default_cap_limits_what_is_read(
    kube: TestCluster, client: Client, namespace: str
) -> None:
    await client.create(POD, pod("big", namespace, "main"))
    fake(kube).set_pod_log(namespace, "big", "main", "x" * 2_000_000)
    text = await client.pod_logs(namespace, "big")
    assert len(text) == 1024 * 1024


@pytest.mark.fake_only
def test_set_pod_log_needs_pod_and_container() -> None:
    server = FakeApiServer()
    with pytest.raises(ConfigurationError):
        server.set_pod_log("default", "ghost", "main", "x")
    server.create(pod("p", "default", "main"))
    with pytest.raises(ConfigurationError):
        server.set_pod_log("default", "p", "other", "x")
