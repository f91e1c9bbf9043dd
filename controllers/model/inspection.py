"""Reading a model's image metadata from its registry (spec §5.3.4): the only network I/O.

:class:`MetadataInspector` reads the model's pull secrets (a live ``GET``: Secrets are not
cached by the operator, and this runs only when the metadata is not known yet), merges them
over the operator's own keychain (its docker config), and asks the shared
:class:`~controllers.oci.RegistryClient`, which caches results by digest. Failures are raised
as the client's typed errors; :func:`controllers.model.health.metadata_error` gives them their
condition reason.
"""

from __future__ import annotations

from collections.abc import Mapping

from aim_engine import SECRET, Client
from aim_engine.api.v1alpha1.image_metadata import ImageMetadata
from aim_engine.api.v1alpha1.model import AIMModelSpec
from controllers.oci import Keychain, RegistryClient, load_keychain

__all__ = ["MetadataInspector"]


class MetadataInspector:
    """Inspects model images.

    Args:
        registry: the registry client (one per operator process).
        keychain: the operator's own credentials (``host_keychain``); a model's pull secrets
            win for the registries they name.
    """

    def __init__(self, registry: RegistryClient, keychain: Keychain | None = None) -> None:
        self._registry = registry
        self._keychain = keychain or Keychain({})

    async def inspect(
        self, client: Client, spec: AIMModelSpec, secret_namespace: str
    ) -> ImageMetadata:
        """The metadata of ``spec.image``, authenticated with the model's pull secrets.

        Raises:
            controllers.oci.PullSecretNotFoundError: a listed pull secret does not exist.
            controllers.oci.PullSecretAccessError: a pull secret could not be read.
            controllers.oci.PullSecretError: a pull secret holds no docker config.
            controllers.oci.RegistryError: the registry refused, failed or does not know the
                image (see :meth:`~controllers.oci.RegistryClient.inspect_image`).
            controllers.oci.InvalidReferenceError: the image does not parse.
            controllers.oci.ImageMetadataError: the AIM labels cannot be read.
        """
        names = [s.name for s in spec.image_pull_secrets or () if s.name]
        keychain = self._keychain
        if names:

            async def get_secret(namespace: str, name: str) -> Mapping[str, object]:
                return await client.get(SECRET, name, namespace)

            secrets = await load_keychain(get_secret, secret_namespace, names)
            keychain = secrets.merged(self._keychain)
        found = await self._registry.inspect_image(spec.image, keychain)
        return found.metadata
