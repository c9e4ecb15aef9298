"""Azure OpenAI: an API key, or Entra ID (managed identity in Azure, `az login` locally)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx2
import openai

from scalechat.settings import Settings

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncTokenCredential

COGNITIVE_SERVICES_SCOPE = "https://cognitiveservices.azure.com/.default"


def entra_id_credential(settings: Settings) -> AsyncTokenCredential:
    """The credential for Azure OpenAI without a key; whoever asks for it closes it.

    Managed identity in Azure, `az login` (or environment credentials) on a laptop. Under
    AUTH_MODE=entra the AZURE_CLIENT_ID/SECRET variables belong to the sign-in app, so the
    environment credential is left out: Azure resources are reached as the managed identity.
    """
    # Imported here: azure-identity is only needed when no key is given.
    from azure.identity.aio import DefaultAzureCredential

    return DefaultAzureCredential(
        managed_identity_client_id=settings.managed_identity_client_id,
        exclude_environment_credential=settings.auth.mode == "entra",
    )


def build_azure_client(
    settings: Settings, http_client: httpx2.AsyncClient, credential: AsyncTokenCredential | None = None
) -> openai.AsyncAzureOpenAI:
    """A client authenticated by the API key if one is set, else by `credential` (see `entra_id_credential`)."""
    azure = settings.azure_openai
    if not azure.endpoint or not azure.deployment:
        raise ValueError("AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT are both needed")
    if azure.api_key is not None:
        return openai.AsyncAzureOpenAI(
            azure_endpoint=azure.endpoint,
            azure_deployment=azure.deployment,
            api_version=azure.api_version,
            api_key=azure.api_key.get_secret_value(),
            max_retries=0,
            http_client=http_client,
        )
    if credential is None:
        raise ValueError("without AZURE_OPENAI_API_KEY, an Entra ID credential is needed")
    from azure.identity.aio import get_bearer_token_provider

    return openai.AsyncAzureOpenAI(
        azure_endpoint=azure.endpoint,
        azure_deployment=azure.deployment,
        api_version=azure.api_version,
        azure_ad_token_provider=get_bearer_token_provider(credential, COGNITIVE_SERVICES_SCOPE),
        max_retries=0,
        http_client=http_client,
    )
