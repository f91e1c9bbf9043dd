"""A real control plane for tests: kube-apiserver + etcd built from Go modules, run on loopback.

The fake API server (:mod:`aim_engine.testing.apiserver`) is fast and runs everywhere; this kit
runs the same scenario tests against the real thing so the fake cannot drift. It has two halves:

- :func:`install` builds kube-apiserver, kubectl and etcd at pinned versions into a cache
  directory (``python -m aim_engine.testing.envtest install``); :func:`find_assets` and
  :func:`find_kubectl` locate them (``KUBEBUILDER_ASSETS`` is respected, as in envtest);
- :class:`ControlPlane` starts etcd and kube-apiserver with controller-runtime envtest's flags and
  an admin kubeconfig, and stops them without leaving processes or files behind.

See ``docs/guides/testing.md``.
"""

from __future__ import annotations

from aim_engine.testing.envtest.assets import DEFAULT_ETCD_VERSION as DEFAULT_ETCD_VERSION
from aim_engine.testing.envtest.assets import (
    DEFAULT_KUBERNETES_VERSION as DEFAULT_KUBERNETES_VERSION,
)
from aim_engine.testing.envtest.assets import Versions as Versions
from aim_engine.testing.envtest.assets import find_assets as find_assets
from aim_engine.testing.envtest.assets import find_kubectl as find_kubectl
from aim_engine.testing.envtest.assets import version_dir as version_dir
from aim_engine.testing.envtest.build import install as install
from aim_engine.testing.envtest.controlplane import ControlPlane as ControlPlane
from aim_engine.testing.envtest.errors import AssetsNotFoundError as AssetsNotFoundError
from aim_engine.testing.envtest.errors import BuildError as BuildError
from aim_engine.testing.envtest.errors import ControlPlaneStartError as ControlPlaneStartError
from aim_engine.testing.envtest.errors import EnvtestError as EnvtestError
from aim_engine.testing.envtest.errors import GoNotFoundError as GoNotFoundError

__all__ = [
    "DEFAULT_ETCD_VERSION",
    "DEFAULT_KUBERNETES_VERSION",
    "AssetsNotFoundError",
    "BuildError",
    "ControlPlane",
    "ControlPlaneStartError",
    "EnvtestError",
    "GoNotFoundError",
    "Versions",
    "find_assets",
    "find_kubectl",
    "install",
    "version_dir",
]
