"""Registry credentials from ``kubernetes.io/dockerconfigjson`` pull secrets, without I/O.

A pull secret holds ``.dockerconfigjson`` (base64 in ``data``, or plain in ``stringData`` of a
manifest), whose ``auths`` map registry keys to ``{"username", "password"}``, ``{"auth":
base64("user:pass")}`` and/or ``{"identitytoken"}``. Keys are written many ways
(``https://index.docker.io/v1/``, ``docker.io``, ``localhost:5000``, ``https://ghcr.io``), so
both sides are normalised to a ``host[:port]`` with :func:`normalize_registry` before lookup.
The legacy ``kubernetes.io/dockercfg`` form (``.dockercfg``, the ``auths`` map itself) is read
too. Several secrets form one :class:`Keychain`; the first secret that names a registry wins,
as in the kubelet. A registry with no entry is accessed anonymously.

The operator's own credentials (spec §5.3.4 step 3, "the default host keychain") are the docker
config file of its process, ``$DOCKER_CONFIG/config.json`` or ``~/.docker/config.json`` (e.g. a
mounted pull secret): :func:`host_keychain` reads it once at start-up, and a reconciler merges it
under the object's own secrets with :meth:`Keychain.merged`. Credential helpers (``credsStore``,
``credHelpers``) are not run.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from controllers.oci._errors import PullSecretError
from controllers.oci.reference import normalize_registry

__all__ = [
    "DOCKERCFG_KEY",
    "DOCKERCONFIGJSON_KEY",
    "Credentials",
    "Keychain",
    "host_keychain",
    "keychain_from_dockerconfig",
    "keychain_from_secrets",
]

DOCKERCONFIGJSON_KEY = ".dockerconfigjson"
DOCKERCFG_KEY = ".dockercfg"
_MAX_SECRET_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Credentials:
    """What to present to one registry.

    Attributes:
        username: basic-auth user ("" when only a token is known).
        password: basic-auth password or personal access token.
        identity_token: an OAuth2 refresh token (``identitytoken``), sent to the token service.
    """

    username: str = ""
    password: str = field(default="", repr=False)
    identity_token: str = field(default="", repr=False)

    @property
    def has_basic(self) -> bool:
        """Whether a username and password are known."""
        return bool(self.username and self.password)


@dataclass(frozen=True, slots=True)
class Keychain:
    """Credentials by normalised registry host; empty means anonymous everywhere."""

    entries: Mapping[str, Credentials] = field(default_factory=dict)

    def lookup(self, registry: str) -> Credentials | None:
        """The credentials for ``registry`` (any spelling), or ``None`` for anonymous access."""
        return self.entries.get(normalize_registry(registry))

    def merged(self, other: Keychain) -> Keychain:
        """This keychain, with the registries only ``other`` knows added."""
        return Keychain({**other.entries, **self.entries})


def _entry(key: str, raw: object, source: str) -> Credentials:
    if not isinstance(raw, Mapping):
        raise PullSecretError(f"{source}: entry {key!r} is not an object")
    username = str(raw.get("username") or "")
    password = str(raw.get("password") or "")
    auth = raw.get("auth")
    if isinstance(auth, str) and auth and not (username and password):
        try:
            decoded = base64.b64decode(auth, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise PullSecretError(
                f"{source}: entry {key!r} has an auth that is not base64"
            ) from None
        username, sep, password = decoded.partition(":")
        if not sep:
            raise PullSecretError(f"{source}: entry {key!r} has an auth without 'user:password'")
    return Credentials(username, password, str(raw.get("identitytoken") or ""))


def keychain_from_dockerconfig(document: bytes | str, source: str = "dockerconfig") -> Keychain:
    """Read a ``.dockerconfigjson`` (``{"auths": {...}}``) or ``.dockercfg`` (``{...}``) document.

    Raises:
        PullSecretError: not JSON, too large, or entries of the wrong shape.
    """
    if len(document) > _MAX_SECRET_BYTES:
        raise PullSecretError(f"{source}: larger than {_MAX_SECRET_BYTES} bytes")
    try:
        parsed = json.loads(document)
    except (ValueError, UnicodeDecodeError):
        raise PullSecretError(f"{source}: not valid JSON") from None
    if not isinstance(parsed, Mapping):
        raise PullSecretError(f"{source}: not a JSON object")
    auths = parsed.get("auths", parsed)
    if not isinstance(auths, Mapping):
        raise PullSecretError(f"{source}: 'auths' is not an object")
    entries: dict[str, Credentials] = {}
    for key, raw in auths.items():
        entries.setdefault(normalize_registry(str(key)), _entry(str(key), raw, source))
    return Keychain(entries)


def _secret_document(secret: Mapping[str, object], name: str) -> str:
    for section, encoded in (("stringData", False), ("data", True)):
        values = secret.get(section)
        if not isinstance(values, Mapping):
            continue
        for key in (DOCKERCONFIGJSON_KEY, DOCKERCFG_KEY):
            value = values.get(key)
            if not isinstance(value, str):
                continue
            if not encoded:
                return value
            try:
                return base64.b64decode(value, validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                raise PullSecretError(f"secret {name}: {key} is not base64") from None
    raise PullSecretError(f"secret {name} has no {DOCKERCONFIGJSON_KEY} (or {DOCKERCFG_KEY}) key")


def keychain_from_secrets(secrets: Iterable[Mapping[str, object]]) -> Keychain:
    """Build one keychain from pull-secret objects, earlier secrets winning per registry.

    Args:
        secrets: Secret objects as read from the API (``data`` base64) or written in a manifest
            (``stringData``), in the order the pod spec lists them.

    Raises:
        PullSecretError: a secret has neither key, or its document cannot be read.
    """
    keychain = Keychain()
    for secret in secrets:
        metadata = secret.get("metadata")
        name = str(metadata.get("name", "?")) if isinstance(metadata, Mapping) else "?"
        document = _secret_document(secret, name)
        keychain = keychain.merged(keychain_from_dockerconfig(document, f"secret {name}"))
    return keychain


def host_keychain(environ: Mapping[str, str] | None = None) -> Keychain:
    """The operator's own docker config as a keychain (empty when there is no file).

    Reads ``$DOCKER_CONFIG/config.json``, else ``$HOME/.docker/config.json``. It reads a file:
    call it at start-up (or through ``asyncio.to_thread``), not in a reconcile.

    Raises:
        PullSecretError: the file exists but cannot be read as a docker config.
    """
    env = os.environ if environ is None else environ
    directory = env.get("DOCKER_CONFIG") or str(Path(env.get("HOME") or Path.home()) / ".docker")
    path = Path(directory) / "config.json"
    try:
        document = path.read_bytes()
    except FileNotFoundError:
        return Keychain()
    except OSError as exc:
        raise PullSecretError(f"{path}: cannot be read ({exc.strerror})") from None
    return keychain_from_dockerconfig(document, str(path))
