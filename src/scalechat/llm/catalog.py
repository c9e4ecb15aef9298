"""Turn settings into the models this instance serves, each wrapped with retries."""

from __future__ import annotations

from dataclasses import dataclass

import httpx2
import openai

from scalechat.errors import InvalidRequest
from scalechat.llm.base import ChatModel, ModelInfo
from scalechat.llm.chat_completions import ChatCompletionsModel
from scalechat.llm.providers.azure import build_azure_client, entra_id_credential
from scalechat.llm.providers.openai_compatible import build_openai_client
from scalechat.llm.retrying import RetryingModel
from scalechat.settings import Settings

SIMULATED_MODEL_ID = "simulated"

_KNOWN_CONTEXT_WINDOWS = (
    ("gpt-4.1", 1_047_576),
    ("gpt-4o", 128_000),
    ("gpt-4-turbo", 128_000),
    ("gpt-5", 400_000),
    ("o1", 200_000),
    ("o3", 200_000),
    ("o4", 200_000),
    ("gpt-35-turbo-16k", 16_384),
    ("gpt-35-turbo", 16_384),
    ("gpt-3.5-turbo", 16_384),
    ("gpt-4-32k", 32_768),
    ("gpt-4", 8_192),
)
DEFAULT_CONTEXT_WINDOW = 8_192
SIMULATOR_CONTEXT_WINDOW = 32_768


def context_window_for(model: str, override: int | None) -> int:
    if override is not None:
        return override
    name = model.lower()
    for prefix, window in _KNOWN_CONTEXT_WINDOWS:
        if name.startswith(prefix):
            return window
    return DEFAULT_CONTEXT_WINDOW


@dataclass
class ModelCatalog:
    models: dict[str, ChatModel]
    default_id: str

    def get(self, model_id: str | None) -> ChatModel:
        model = self.models.get(model_id or self.default_id)
        if model is None:
            raise InvalidRequest(f"Unknown model {model_id!r}; see GET /api/models.", code="unknown_model")
        return model

    def infos(self) -> list[ModelInfo]:
        return [model.info for model in self.models.values()]

    async def aclose(self) -> None:
        for model in self.models.values():
            await model.aclose()


def http_client_for(settings: Settings) -> httpx2.AsyncClient:
    """The SDK's aiohttp-backed client: per streamed chunk it costs a fraction of the default
    transport's, which enters an anyio cancel scope for every read."""
    timeout = httpx2.Timeout(settings.model.read_timeout_seconds, connect=settings.model.connect_timeout_seconds)
    # Many concurrent streams share one pool; the default of 100 would queue the 101st.
    limits = httpx2.Limits(max_connections=10_000, max_keepalive_connections=1_000)
    client: httpx2.AsyncClient = openai.DefaultAioHttpClient(timeout=timeout, limits=limits)
    return client


def build_catalog(settings: Settings, simulator_url: str | None) -> ModelCatalog:
    http_client = http_client_for(settings)
    provider = settings.provider
    override = settings.model.context_window
    model: ChatModel
    if provider == "azure":
        azure = settings.azure_openai
        deployment = azure.deployment or ""
        tokenizer_model = azure.model_name or deployment
        info = ModelInfo(
            id=deployment,
            label=f"{deployment} (Azure OpenAI)",
            provider="azure",
            context_window=context_window_for(tokenizer_model, override),
            tokenizer_model=tokenizer_model,
        )
        credential = None if azure.api_key is not None else entra_id_credential(settings)
        azure_client = build_azure_client(settings, http_client, credential)
        model = ChatCompletionsModel(azure_client, info, deployment, credential=credential)
    elif provider == "openai":
        base_url = settings.openai.base_url or ""
        name = settings.openai.model or "default"
        key = settings.openai.api_key.get_secret_value() if settings.openai.api_key else None
        info = ModelInfo(
            id=name,
            label=name,
            provider="openai",
            context_window=context_window_for(name, override),
            tokenizer_model=name,
        )
        model = ChatCompletionsModel(build_openai_client(base_url, key, http_client), info, name)
    else:
        if simulator_url is None:
            raise ValueError("the simulator's URL is needed when no model is configured")
        info = ModelInfo(
            id=SIMULATED_MODEL_ID,
            label="Simulated model",
            provider="simulator",
            context_window=override or SIMULATOR_CONTEXT_WINDOW,
            tokenizer_model="gpt-4o",
            simulated=True,
        )
        client = build_openai_client(simulator_url.rstrip("/") + "/v1", None, http_client)
        model = ChatCompletionsModel(client, info, SIMULATED_MODEL_ID)
    wrapped = RetryingModel(model, settings.model.retry_budget_seconds)
    return ModelCatalog(models={info.id: wrapped}, default_id=info.id)
