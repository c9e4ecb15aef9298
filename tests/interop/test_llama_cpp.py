"""scalechat in front of llama.cpp: an OpenAI-compatible server that nobody here wrote.

The model is a tiny Llama with random weights (its text is gibberish), served by
`llama_cpp.server`; everything between scalechat and it is the real protocol.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.support import SHARED, ServerProcess, clean_env, free_port, running_server, stop_process, stream, text_of

pytestmark = pytest.mark.interop

MODEL_PATH = SHARED / "models" / "llama-2-tiny-random.gguf"
MODEL_ALIAS = "llama-tiny"
N_CTX = 512


def llama_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(MODEL_PATH),
        "--model_alias",
        MODEL_ALIAS,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(N_CTX),
        # The file has no chat template; name one rather than rely on the server's fallback.
        "--chat_format",
        "llama-2",
        "--verbose",
        "False",
    ]


@pytest.fixture(scope="module")
def llama_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running llama.cpp server; its `/v1` base URL.

    Missing parts fail rather than skip: `make test` installs llama.cpp, and the model lies in
    ../shared/models, so a skip would only hide a broken set-up.
    """
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.fail("llama-cpp-python is not installed: run `make interop-setup` (part of `make test`)")
    if not MODEL_PATH.exists():
        pytest.fail(f"test model missing: {MODEL_PATH} (../shared/models beside the checkout)")
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama") / "llama.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            llama_command(port), env=clean_env({}), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        try:
            wait_for_models(process, f"http://127.0.0.1:{port}/v1/models", log_path)
            yield f"http://127.0.0.1:{port}/v1"
        finally:
            stop_process(process)


def wait_for_models(process: subprocess.Popen[bytes], url: str, log_path: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama.cpp exited {process.returncode}: {log_path.read_text(errors='replace')[-3000:]}")
        try:
            response = httpx.get(url, timeout=1)
        except httpx.TransportError:
            time.sleep(0.1)
            continue
        if response.status_code == 200 and MODEL_ALIAS in {m["id"] for m in response.json()["data"]}:
            return
        time.sleep(0.1)
    raise RuntimeError(f"llama.cpp did not answer {url}: {log_path.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="module")
def scalechat(llama_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with running_server(
        tmp_path_factory.mktemp("scalechat"),
        OPENAI_BASE_URL=llama_url,
        OPENAI_MODEL=MODEL_ALIAS,
        MODEL_CONTEXT_WINDOW=str(N_CTX),
    ) as server:
        yield server


@pytest.fixture
def client(scalechat: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=scalechat.url, timeout=30) as http:
        yield http


def test_the_llama_model_is_listed(client: httpx.Client) -> None:
    response = client.get("/api/models")
    assert response.status_code == 200
    body = response.json()
    assert body["default"] == MODEL_ALIAS
    assert body["items"] == [
        {
            "id": MODEL_ALIAS,
            "label": MODEL_ALIAS,
            "provider": "openai",
            "context_window": N_CTX,
            "simulated": False,
        }
    ]


def test_an_answer_streams_and_is_stored(client: httpx.Client) -> None:
    created = client.post("/api/conversations", json={})
    assert created.status_code == 201
    cid = created.json()["id"]

    events = stream(
        client,
        "POST",
        f"/api/conversations/{cid}/messages",
        json={"content": "Say something, tiny llama.", "parameters": {"max_tokens": 16}},
    )

    names = [name for name, _ in events]
    assert names[0] == "message.created"
    assert names[-1] == "done", events[-1]
    assert set(names[1:-1]) == {"delta"}
    done = events[-1][1]
    assert done["status"] == "completed"
    assert done["finish_reason"] in {"stop", "length"}
    # llama.cpp ignores `stream_options` and sends no usage: the adapter counts it instead.
    usage = done["usage"]
    assert usage["completion_tokens"] > 0
    assert usage["prompt_tokens"] > 0
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    answer = text_of(events)
    assert answer

    conversation = client.get(f"/api/conversations/{cid}").json()
    assistant_id = events[0][1]["assistant_message_id"]
    assistant = next(m for m in conversation["messages"] if m["id"] == assistant_id)
    assert assistant["role"] == "assistant"
    assert assistant["status"] == "completed"
    assert assistant["content"] == answer
    assert assistant["model"] == MODEL_ALIAS
    assert assistant["usage"] == usage
