"""A real OCI registry for tests: the CNCF distribution registry built from Go, run on loopback.

The registry client of the operator (:mod:`controllers.oci`) is tested against the real thing,
as the framework is against a real kube-apiserver (:mod:`aim_engine.testing.envtest`):

- :func:`install_registry` builds ``github.com/distribution/distribution/v3/cmd/registry`` at a
  pinned version into ``~/.cache/aim-engine/registry/<version>/`` (``python -m
  aim_engine.testing.registry build``); :func:`find_registry` locates it
  (``AIM_TEST_REGISTRY_BIN`` wins);
- :class:`RegistryServer` runs it anonymous, with htpasswd users, or with bearer tokens from a
  :class:`TokenServer`;
- :class:`ImagePusher` pushes synthetic single- and multi-arch images with chosen labels.

See ``docs/guides/testing.md``.
"""

from __future__ import annotations

from aim_engine.testing.registry.build import DEFAULT_REGISTRY_VERSION as DEFAULT_REGISTRY_VERSION
from aim_engine.testing.registry.build import ENV_REGISTRY_BINARY as ENV_REGISTRY_BINARY
from aim_engine.testing.registry.build import find_registry as find_registry
from aim_engine.testing.registry.build import install_registry as install_registry
from aim_engine.testing.registry.build import registry_dir as registry_dir
from aim_engine.testing.registry.images import ImagePusher as ImagePusher
from aim_engine.testing.registry.images import PushedImage as PushedImage
from aim_engine.testing.registry.server import RegistryServer as RegistryServer
from aim_engine.testing.registry.server import htpasswd_line as htpasswd_line
from aim_engine.testing.registry.tokens import TokenRequest as TokenRequest
from aim_engine.testing.registry.tokens import TokenServer as TokenServer

__all__ = [
    "DEFAULT_REGISTRY_VERSION",
    "ENV_REGISTRY_BINARY",
    "ImagePusher",
    "PushedImage",
    "RegistryServer",
    "TokenRequest",
    "TokenServer",
    "find_registry",
    "htpasswd_line",
    "install_registry",
    "registry_dir",
]
