"""Azure OpenAI: an API key, or Entra ID (managed identity in Azure, `az login` locally)."""

from __future__ import annotations

import httpx2
import openai

from scalechat.settings import Settings

COGNITIVE_SERVICES_SCOPE = "https://cognitiveservices.azure.com/.default"


def build_azure_client(settings: Settings, http_client: httpx2.AsyncClient) -> openai.AsyncAzureOpenAI:
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
    # Imported here: azure-identity is only needed when no key is given.
    from azure.identity.aio import DefaultAzureCredential, get_bearer_token_provider

    credential = DefaultAzureCredential(managed_identity_client_id=settings.azure.client_id)
    return openai.AsyncAzureOpenAI(
        azure_endpoint=azure.endpoint,
        azure_deployment=azure.deployment,
        api_version=azure.api_version,
        azure_ad_token_provider=get_bearer_token_provider(credential, COGNITIVE_SERVICES_SCOPE),
        max_retries=0,
        http_client=http_client,
    )
