"""The Azure OpenAI provider against a fake Azure at the SDK's HTTP transport.

The fake checks what Azure checks (deployment path, `api-version`, `api-key` or
an Entra ID bearer token) and answers with Azure's own stream shape: a first
chunk with only prompt-filter results, content chunks annotated by the content
filter, a finish chunk, a last chunk with only usage, then `[DONE]`.

Entra ID runs for real: azure-identity's DefaultAzureCredential finds the App
Service managed-identity variables and asks a local token endpoint over HTTP.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
import httpx2
import orjson
import pytest
from pydantic import SecretStr

from scalechat.domain import Role, Usage
from scalechat.errors import (
    BadCredentials,
    ContentFiltered,
    ContextTooLong,
    ModelError,
    RateLimited,
    UpstreamUnavailable,
)
from scalechat.llm import ChatRequest, ChatTurn, FilterResults, Finished, ModelEvent, ModelInfo, TextDelta, UsageReport
from scalechat.llm.base import ChatModel
from scalechat.llm.chat_completions import ChatCompletionsModel
from scalechat.llm.providers.azure import build_azure_client, entra_id_credential
from scalechat.llm.retrying import RetryingModel
from scalechat.llm.tokens import TokenCounter
from scalechat.settings import AzureIdentitySettings, AzureOpenAISettings, Settings

pytestmark = pytest.mark.anyio

ENDPOINT = "https://contoso-chat.openai.azure.com"
DEPLOYMENT = "chat-gpt4o"
API_VERSION = "2024-10-21"
API_KEY = "azure-key-123"
INFO = ModelInfo(
    id=DEPLOYMENT,
    label=f"{DEPLOYMENT} (Azure OpenAI)",
    provider="azure",
    context_window=128_000,
    tokenizer_model="gpt-4o",
)
REQUEST = ChatRequest(
    messages=[ChatTurn(Role.SYSTEM, "You are a helpful assistant."), ChatTurn(Role.USER, "Say hello.")],
    max_tokens=50,
    temperature=0.7,
    top_p=0.95,
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# -- Azure's stream and error shapes ------------------------------------------

SAFE = {"filtered": False, "severity": "safe"}
PROMPT_FILTER_RESULTS = [
    {
        "prompt_index": 0,
        "content_filter_results": {
            "hate": SAFE,
            "jailbreak": {"filtered": False, "detected": False},
            "self_harm": SAFE,
            "sexual": SAFE,
            "violence": SAFE,
        },
    }
]
COMPLETION_SAFE = {"hate": SAFE, "self_harm": SAFE, "sexual": SAFE, "violence": SAFE}
VIOLENCE_FILTERED = {**COMPLETION_SAFE, "violence": {"filtered": True, "severity": "medium"}}


def _chunk(choice: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": "chatcmpl-AZ1",
        "object": "chat.completion.chunk",
        "created": 1_730_000_000,
        "model": "gpt-4o-2024-08-06",
        "system_fingerprint": "fp_azure",
        "choices": [] if choice is None else [{"index": 0, "logprobs": None, "finish_reason": None, **choice}],
        "usage": None,
        **extra,
    }


def prompt_filter_chunk() -> dict[str, Any]:
    # Azure's first chunk: no id, no model, no choices, only the prompt's filter results.
    return {
        "id": "",
        "object": "",
        "created": 0,
        "model": "",
        "choices": [],
        "prompt_filter_results": PROMPT_FILTER_RESULTS,
    }


def role_chunk() -> dict[str, Any]:
    return _chunk({"delta": {"role": "assistant", "content": "", "refusal": None}, "content_filter_results": {}})


def text_chunk(text: str, filter_results: dict[str, Any] = COMPLETION_SAFE) -> dict[str, Any]:
    return _chunk({"delta": {"content": text}, "content_filter_results": filter_results})


def finish_chunk(reason: str, filter_results: dict[str, Any] | None = None) -> dict[str, Any]:
    return _chunk({"delta": {}, "finish_reason": reason, "content_filter_results": filter_results or {}})


def usage_chunk(prompt: int, completion: int) -> dict[str, Any]:
    usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
    return {**_chunk(), "usage": usage}


def sse(*chunks: dict[str, Any] | str) -> bytes:
    return b"".join(
        b"data: " + (chunk.encode() if isinstance(chunk, str) else orjson.dumps(chunk)) + b"\n\n" for chunk in chunks
    )


def stream_response(body: bytes | httpx2.AsyncByteStream) -> httpx2.Response:
    headers = {"content-type": "text/event-stream; charset=utf-8", "apim-request-id": "req-1"}
    if isinstance(body, bytes):
        return httpx2.Response(200, headers=headers, content=body)
    return httpx2.Response(200, headers=headers, stream=body)


def hello_stream() -> httpx2.Response:
    return stream_response(
        sse(
            prompt_filter_chunk(),
            role_chunk(),
            text_chunk("Hello"),
            text_chunk(" there"),
            text_chunk("!"),
            finish_chunk("stop"),
            usage_chunk(prompt=19, completion=3),
            "[DONE]",
        )
    )


HELLO_EVENTS: list[ModelEvent] = [
    FilterResults("prompt", {"results": PROMPT_FILTER_RESULTS}),
    TextDelta("Hello"),
    TextDelta(" there"),
    TextDelta("!"),
    Finished("stop"),
    UsageReport(Usage(prompt_tokens=19, completion_tokens=3, total_tokens=22)),
]


def azure_error(
    http_status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> httpx2.Response:
    return httpx2.Response(http_status, headers=headers, json={"error": {"code": code, "message": message, **extra}})


class BrokenStream(httpx2.AsyncByteStream):
    """Sends the start of an answer, then the connection drops."""

    def __init__(self, first: bytes) -> None:
        self._first = first

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._first
        raise httpx2.ReadError("connection reset by peer")


# -- the fake Azure OpenAI resource ---------------------------------------------


@dataclass
class FakeAzure:
    """Azure OpenAI's chat completions endpoint for one deployment; serves `replies` in order."""

    api_key: str | None = API_KEY
    bearer_token: str | None = None
    replies: list[Callable[[], httpx2.Response]] = field(default_factory=list)
    requests: list[httpx2.Request] = field(default_factory=list)

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        if request.url.host != urlsplit(ENDPOINT).hostname:
            raise httpx2.ConnectError("unknown host", request=request)
        if request.url.path != f"/openai/deployments/{DEPLOYMENT}/chat/completions":
            return azure_error(404, "DeploymentNotFound", "The API deployment for this resource does not exist.")
        if request.url.params.get("api-version") != API_VERSION:
            return azure_error(404, "404", "Resource not found")
        if self.api_key is not None and request.headers.get("api-key") != self.api_key:
            return azure_error(401, "401", "Access denied due to invalid subscription key or wrong API endpoint.")
        if self.bearer_token is not None and request.headers.get("authorization") != f"Bearer {self.bearer_token}":
            return azure_error(401, "PermissionDenied", "Principal does not have access to API/Operation.")
        return self.replies.pop(0)()

    def body(self, index: int = -1) -> dict[str, Any]:
        body: dict[str, Any] = orjson.loads(self.requests[index].content)
        return body


def azure_settings(api_key: str | None, client_id: str | None = None) -> Settings:
    return Settings(
        azure_openai=AzureOpenAISettings(
            endpoint=ENDPOINT,
            api_key=SecretStr(api_key) if api_key is not None else None,
            api_version=API_VERSION,
            deployment=DEPLOYMENT,
            model_name="gpt-4o",
        ),
        azure=AzureIdentitySettings(client_id=client_id),
    )


@contextlib.asynccontextmanager
async def azure_model(fake: FakeAzure, *, api_key: str | None = API_KEY) -> AsyncIterator[ChatCompletionsModel]:
    settings = azure_settings(api_key)
    http_client = httpx2.AsyncClient(transport=httpx2.MockTransport(fake.handler))
    model = ChatCompletionsModel(build_azure_client(settings, http_client), INFO, DEPLOYMENT)
    try:
        yield model
    finally:
        await model.aclose()


async def collect(model: ChatModel, request: ChatRequest = REQUEST) -> list[ModelEvent]:
    return [event async for event in model.stream(request)]


# -- streaming ------------------------------------------------------------------


async def test_a_stream_in_azure_shape_becomes_typed_events() -> None:
    fake = FakeAzure(replies=[hello_stream])
    async with azure_model(fake) as model:
        events = await collect(model)
    assert events == HELLO_EVENTS
    (request,) = fake.requests
    assert request.method == "POST"
    assert request.headers["api-key"] == API_KEY
    assert "authorization" not in request.headers
    body = fake.body()
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["messages"] == [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Say hello."},
    ]
    assert (body["max_tokens"], body["temperature"], body["top_p"]) == (50, 0.7, 0.95)


async def test_a_filtered_answer_finishes_as_content_filter_naming_the_category() -> None:
    def filtered() -> httpx2.Response:
        return stream_response(
            sse(
                prompt_filter_chunk(),
                role_chunk(),
                text_chunk("Here is how"),
                finish_chunk("content_filter", VIOLENCE_FILTERED),
                usage_chunk(prompt=19, completion=3),
                "[DONE]",
            )
        )

    fake = FakeAzure(replies=[filtered])
    async with azure_model(fake) as model:
        events = await collect(model)
    assert [e for e in events if isinstance(e, TextDelta)] == [TextDelta("Here is how")]
    assert Finished("content_filter") in events
    (completion_filter,) = [e for e in events if isinstance(e, FilterResults) and e.scope == "completion"]
    flagged = {name for name, result in completion_filter.results.items() if result["filtered"]}
    assert flagged == {"violence"}
    assert events.index(completion_filter) < events.index(Finished("content_filter"))


async def test_without_usage_in_the_stream_the_adapter_counts_tokens() -> None:
    # Servers that ignore `stream_options` (llama.cpp, older api-versions) end without a usage chunk.
    def no_usage() -> httpx2.Response:
        return stream_response(
            sse(
                prompt_filter_chunk(),
                role_chunk(),
                text_chunk("Hello"),
                text_chunk(" there!"),
                finish_chunk("stop"),
                "[DONE]",
            )
        )

    fake = FakeAzure(replies=[no_usage])
    async with azure_model(fake) as model:
        events = await collect(model)
    assert events[-2:-1] == [Finished("stop")]
    report = events[-1]
    assert isinstance(report, UsageReport) and report.estimated
    counter = TokenCounter(INFO.tokenizer_model)
    assert report.usage.completion_tokens == counter.count_text("Hello there!")
    assert report.usage.prompt_tokens > counter.count_text("You are a helpful assistant. Say hello.")
    assert report.usage.total_tokens == report.usage.prompt_tokens + report.usage.completion_tokens


async def test_a_stream_that_ends_without_finish_reason_is_upstream_unavailable() -> None:
    def truncated() -> httpx2.Response:
        return stream_response(sse(prompt_filter_chunk(), role_chunk(), text_chunk("Hel")))

    fake = FakeAzure(replies=[truncated])
    events: list[ModelEvent] = []
    async with azure_model(fake) as model:
        with pytest.raises(UpstreamUnavailable):
            async for event in model.stream(REQUEST):
                events.append(event)
    assert TextDelta("Hel") in events


# -- HTTP errors ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "error_type", "retry_after"),
    [
        pytest.param(
            lambda: azure_error(
                429,
                "429",
                "Requests to the ChatCompletions_Create Operation have exceeded token rate limit.",
                headers={"retry-after": "7"},
            ),
            RateLimited,
            7.0,
            id="429-rate-limited",
        ),
        pytest.param(
            lambda: azure_error(
                400,
                "content_filter",
                "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
                param="prompt",
                status=400,
                innererror={
                    "code": "ResponsibleAIPolicyViolation",
                    "content_filter_result": {**COMPLETION_SAFE, "hate": {"filtered": True, "severity": "high"}},
                },
            ),
            ContentFiltered,
            None,
            id="400-content-filter",
        ),
        pytest.param(
            lambda: azure_error(
                400,
                "context_length_exceeded",
                "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 "
                "tokens. Please reduce the length of the messages.",
                type="invalid_request_error",
                param="messages",
            ),
            ContextTooLong,
            None,
            id="400-context-length",
        ),
        pytest.param(
            lambda: azure_error(500, "InternalServerError", "The server had an error while processing your request."),
            UpstreamUnavailable,
            None,
            id="500-server-error",
        ),
    ],
)
async def test_http_errors_map_to_scalechat_errors(
    reply: Callable[[], httpx2.Response], error_type: type[ModelError], retry_after: float | None
) -> None:
    fake = FakeAzure(replies=[reply])
    async with azure_model(fake) as model:
        with pytest.raises(error_type) as raised:
            await collect(model)
    assert type(raised.value) is error_type
    assert raised.value.retry_after == retry_after


async def test_a_wrong_key_is_bad_credentials() -> None:
    fake = FakeAzure(replies=[hello_stream])
    async with azure_model(fake, api_key="not-the-key") as model:
        with pytest.raises(BadCredentials):
            await collect(model)
    assert fake.requests[0].headers["api-key"] == "not-the-key"
    assert fake.replies, "the fake refused the request before answering"


# -- retries ------------------------------------------------------------------------


async def test_a_short_rate_limit_is_retried_within_the_budget() -> None:
    fake = FakeAzure(
        replies=[lambda: azure_error(429, "429", "Rate limit exceeded.", headers={"retry-after": "0.1"}), hello_stream]
    )
    async with azure_model(fake) as model:
        started = time.monotonic()
        events = await collect(RetryingModel(model, budget_seconds=5))
        elapsed = time.monotonic() - started
    assert events == HELLO_EVENTS
    assert len(fake.requests) == 2
    assert elapsed >= 0.1


async def test_a_rate_limit_longer_than_the_budget_fails_at_once() -> None:
    fake = FakeAzure(
        replies=[lambda: azure_error(429, "429", "Rate limit exceeded.", headers={"retry-after": "30"}), hello_stream]
    )
    async with azure_model(fake) as model:
        started = time.monotonic()
        with pytest.raises(RateLimited) as raised:
            await collect(RetryingModel(model, budget_seconds=5))
        elapsed = time.monotonic() - started
    assert raised.value.retry_after == 30.0
    assert len(fake.requests) == 1
    assert elapsed < 2.0  # no waiting for a retry that could not fit the budget


async def test_a_failure_after_the_first_token_is_not_retried() -> None:
    def drops_mid_answer() -> httpx2.Response:
        return stream_response(BrokenStream(sse(prompt_filter_chunk(), role_chunk(), text_chunk("Hel"))))

    fake = FakeAzure(replies=[drops_mid_answer, hello_stream])
    events: list[ModelEvent] = []
    async with azure_model(fake) as model:
        with pytest.raises(UpstreamUnavailable):
            async for event in RetryingModel(model, budget_seconds=5).stream(REQUEST):
                events.append(event)
    assert TextDelta("Hel") in events
    assert len(fake.requests) == 1  # a retry would repeat text the user already saw


# -- Entra ID through a real managed-identity endpoint --------------------------------


@dataclass
class ManagedIdentityEndpoint:
    """App Service's managed-identity protocol: GET IDENTITY_ENDPOINT with the IDENTITY_HEADER secret."""

    secret: str
    token: str
    url: str = ""
    requests: list[tuple[dict[str, list[str]], dict[str, str]]] = field(default_factory=list)
    open_connections: int = 0
    idle: threading.Event = field(default_factory=threading.Event)  # no connection open

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive: a connection ends only when the client closes it.
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                endpoint.open_connections += 1
                endpoint.idle.clear()

            def finish(self) -> None:
                endpoint.open_connections -= 1
                if not endpoint.open_connections:
                    endpoint.idle.set()
                super().finish()

            def do_GET(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                endpoint.requests.append((query, {k.lower(): v for k, v in self.headers.items()}))
                if self.headers.get("X-IDENTITY-HEADER") != endpoint.secret:
                    self._answer(401, {"error": "unauthorized"})
                    return
                self._answer(
                    200,
                    {
                        "access_token": endpoint.token,
                        "expires_on": str(int(time.time()) + 3600),
                        "resource": query["resource"][0],
                        "token_type": "Bearer",
                    },
                )

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = orjson.dumps(body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def managed_identity(monkeypatch: pytest.MonkeyPatch) -> Iterator[ManagedIdentityEndpoint]:
    endpoint = ManagedIdentityEndpoint(secret="identity-header-secret", token="entra-token-for-cognitive-services")
    server = ThreadingHTTPServer(("127.0.0.1", 0), endpoint.handler_class())
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}/msi/token"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    # Nothing of this machine's identity may take part: only the App Service variables below.
    for name in list(os.environ):
        if name.startswith(("AZURE_", "MSI_", "IDENTITY_", "IMDS_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("IDENTITY_ENDPOINT", endpoint.url)
    monkeypatch.setenv("IDENTITY_HEADER", endpoint.secret)
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize("client_id", [None, "user-assigned-client-id"])
async def test_without_a_key_entra_id_signs_requests_with_a_managed_identity_token(
    managed_identity: ManagedIdentityEndpoint, client_id: str | None
) -> None:
    fake = FakeAzure(api_key=None, bearer_token=managed_identity.token, replies=[hello_stream, hello_stream])
    settings = azure_settings(api_key=None, client_id=client_id)
    credential = entra_id_credential(settings)
    http_client = httpx2.AsyncClient(transport=httpx2.MockTransport(fake.handler))
    model = ChatCompletionsModel(
        build_azure_client(settings, http_client, credential), INFO, DEPLOYMENT, credential=credential
    )
    try:
        assert await collect(model) == HELLO_EVENTS
        assert await collect(model) == HELLO_EVENTS
        assert managed_identity.open_connections == 1
    finally:
        await model.aclose()
    # Closing the model closes the credential and its connection to the identity endpoint.
    assert await anyio.to_thread.run_sync(managed_identity.idle.wait, 5.0)

    for request in fake.requests:
        assert request.headers["authorization"] == f"Bearer {managed_identity.token}"
        assert "api-key" not in request.headers
    # One token for both requests, asked for Azure OpenAI's resource.
    ((query, headers),) = managed_identity.requests
    assert query["resource"] == ["https://cognitiveservices.azure.com"]
    assert query["api-version"] == ["2019-08-01"]
    assert headers["x-identity-header"] == managed_identity.secret
    if client_id is None:
        assert "client_id" not in query
    else:
        assert query["client_id"] == [client_id]
