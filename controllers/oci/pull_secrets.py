"""Reading a model's pull secrets into a :class:`Keychain`, with the spec's error reasons.

Spec §5.3.4 step 2: every listed secret must exist in the secret namespace (the model's, or the
operator's for cluster-scoped kinds). A missing one is :class:`PullSecretNotFoundError`
(``SecretNotFound``: the model fails with ``ConfigValid=False/ReferenceNotFound``); any other
read failure is :class:`PullSecretAccessError` (``SecretAccessFailed``, retried). How a secret
is read (the cache, or a live ``GET`` because Secrets are not cached) is the caller's choice,
passed in as a function.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence

from aim_engine.errors import ApiError, NotFoundError, TransportError
from controllers.oci._errors import PullSecretAccessError, PullSecretNotFoundError
from controllers.oci.credentials import Keychain, keychain_from_secrets

__all__ = ["SecretGetter", "load_keychain"]

SecretGetter = Callable[[str, str], Awaitable[Mapping[str, object]]]
"""``(namespace, name) -> Secret``; raises :class:`aim_engine.errors.NotFoundError` if absent."""


async def load_keychain(get_secret: SecretGetter, namespace: str, names: Sequence[str]) -> Keychain:
    """Read ``names`` from ``namespace`` and merge them into one keychain (earlier names win).

    Raises:
        PullSecretNotFoundError: a secret does not exist.
        PullSecretAccessError: reading a secret failed otherwise (forbidden, API down).
        PullSecretError: a secret exists but holds no readable docker config.
    """
    secrets = []
    for name in names:
        try:
            secrets.append(await get_secret(namespace, name))
        except NotFoundError:
            raise PullSecretNotFoundError(
                f"image pull secret {namespace}/{name} not found"
            ) from None
        except (ApiError, TransportError) as exc:
            raise PullSecretAccessError(
                f"reading image pull secret {namespace}/{name} failed: {exc}"
            ) from exc
    return keychain_from_secrets(secrets)
