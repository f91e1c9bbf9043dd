"""An async OCI registry client for the AIM operator (Docker Registry API v2 / OCI distribution).

The model controller reads an image's labels (spec §5.3.4) and the model-source controller lists
tags and repositories (§5.6). Both go through :class:`RegistryClient`, built on aiohttp (no
synchronous HTTP anywhere):

- :func:`parse_reference` — image references with Docker's defaults (:mod:`.reference`);
- :class:`Keychain`, :func:`keychain_from_secrets`, :func:`load_keychain`, :func:`host_keychain` —
  credentials from ``kubernetes.io/dockerconfigjson`` pull secrets and the operator's own docker
  config (:mod:`.credentials`, :mod:`.pull_secrets`);
- :class:`RegistryClient` — bearer/basic challenges, manifest lists and OCI indexes resolved to
  linux/amd64, config labels, ``Link``-paginated listings, timeouts on the injected clock,
  bounded retries, size caps, results cached by digest (:mod:`.client`);
- :func:`parse_labels` — AIM/OCI labels → :class:`~aim_engine.api.v1alpha1.ImageMetadata`, pure
  (:mod:`.labels`);
- typed errors, each with the ``reason`` its condition carries (:mod:`._errors`).

See ``docs/operator/registry-client.md``.
"""

from __future__ import annotations

from controllers.oci._errors import ImageMetadataError as ImageMetadataError
from controllers.oci._errors import ImageNotFoundError as ImageNotFoundError
from controllers.oci._errors import InvalidReferenceError as InvalidReferenceError
from controllers.oci._errors import PullSecretAccessError as PullSecretAccessError
from controllers.oci._errors import PullSecretError as PullSecretError
from controllers.oci._errors import PullSecretNotFoundError as PullSecretNotFoundError
from controllers.oci._errors import RegistryAuthError as RegistryAuthError
from controllers.oci._errors import RegistryError as RegistryError
from controllers.oci._errors import RegistryResponseError as RegistryResponseError
from controllers.oci._errors import RegistryUnavailableError as RegistryUnavailableError
from controllers.oci._errors import ResponseTooLargeError as ResponseTooLargeError
from controllers.oci.challenge import Challenge as Challenge
from controllers.oci.challenge import parse_challenge as parse_challenge
from controllers.oci.client import ImageInspection as ImageInspection
from controllers.oci.client import RegistryClient as RegistryClient
from controllers.oci.credentials import Credentials as Credentials
from controllers.oci.credentials import Keychain as Keychain
from controllers.oci.credentials import host_keychain as host_keychain
from controllers.oci.credentials import keychain_from_dockerconfig as keychain_from_dockerconfig
from controllers.oci.credentials import keychain_from_secrets as keychain_from_secrets
from controllers.oci.labels import parse_labels as parse_labels
from controllers.oci.options import RegistryOptions as RegistryOptions
from controllers.oci.pull_secrets import SecretGetter as SecretGetter
from controllers.oci.pull_secrets import load_keychain as load_keychain
from controllers.oci.reference import ImageReference as ImageReference
from controllers.oci.reference import parse_reference as parse_reference

__all__ = [
    "Challenge",
    "Credentials",
    "ImageInspection",
    "ImageMetadataError",
    "ImageNotFoundError",
    "ImageReference",
    "InvalidReferenceError",
    "Keychain",
    "PullSecretAccessError",
    "PullSecretError",
    "PullSecretNotFoundError",
    "RegistryAuthError",
    "RegistryClient",
    "RegistryError",
    "RegistryOptions",
    "RegistryResponseError",
    "RegistryUnavailableError",
    "ResponseTooLargeError",
    "SecretGetter",
    "host_keychain",
    "keychain_from_dockerconfig",
    "keychain_from_secrets",
    "load_keychain",
    "parse_challenge",
    "parse_labels",
    "parse_reference",
]
