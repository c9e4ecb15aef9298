"""Start-up, restart, shutdown and crash: nothing a user was told is lost."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
import psutil

from tests.support import clean_env, parse_sse, running_server, stream, text_of


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scalechat", *args],
        env=clean_env(env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_restart_keeps_conversations_branches_and_a_stopped_partial(tmp_path: Path) -> None:
    with running_server(tmp_path) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        cid = client.post("/api/conversations", json={"title": "Keep me"}).json()["id"]
        first = stream(client, "POST", f"/api/conversations/{cid}/messages", json={"content": "first"})[0][1]
        stream(client, "POST", f"/api/conversations/{cid}/messages", json={"content": "edit", "parent_id": None})
        slow = "partial [[sim: chunks=500 chunk_interval_ms=20 first_token_ms=0]]"
        with client.stream("POST", f"/api/conversations/{cid}/messages", json={"content": slow}) as response:
            events = parse_sse(response.iter_lines())
            stopped_id = next(events)[1]["assistant_message_id"]
            next(events)
            stopped = client.post(f"/api/messages/{stopped_id}/stop").json()
        before = client.get(f"/api/conversations/{cid}").json()
    with running_server(tmp_path) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        after = client.get(f"/api/conversations/{cid}").json()
    assert after == before
    assert len(after["messages"]) == 6
    assert any(m["id"] == first["assistant_message_id"] for m in after["messages"])
    kept = next(m for m in after["messages"] if m["id"] == stopped_id)
    assert kept["status"] == "stopped" and kept["content"] == stopped["content"] and kept["content"]


def test_shutdown_gives_a_grace_period_then_stores_interrupted(tmp_path: Path) -> None:
    with (
        running_server(tmp_path, SHUTDOWN_GRACE_SECONDS="0.5") as server,
        httpx.Client(base_url=server.url, timeout=30) as client,
    ):
        cid = client.post("/api/conversations", json={}).json()["id"]
        slow = "long [[sim: chunks=1000 chunk_interval_ms=20 first_token_ms=0]]"
        with client.stream("POST", f"/api/conversations/{cid}/messages", json={"content": slow}) as response:
            events = parse_sse(response.iter_lines())
            answer_id = next(events)[1]["assistant_message_id"]
            received = [next(events) for _ in range(5)]
            started = time.monotonic()
            server.stop(signal.SIGTERM)
            shutdown_seconds = time.monotonic() - started
            tail = list(events)
    assert shutdown_seconds < 10
    assert tail[-1][0] == "error" and tail[-1][1]["code"] == "interrupted"
    with running_server(tmp_path) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        stored = next(m for m in client.get(f"/api/conversations/{cid}").json()["messages"] if m["id"] == answer_id)
    assert stored["status"] == "interrupted"
    assert stored["content"].startswith(text_of(received))
    assert stored["content"] == text_of(received + tail)


def test_a_crash_loses_at_most_about_a_second_of_text(tmp_path: Path) -> None:
    interval_ms = 20
    with running_server(tmp_path) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        cid = client.post("/api/conversations", json={}).json()["id"]
        slow = f"crash [[sim: chunks=1000 chunk_interval_ms={interval_ms} first_token_ms=0]]"
        with client.stream("POST", f"/api/conversations/{cid}/messages", json={"content": slow}) as response:
            events = parse_sse(response.iter_lines())
            answer_id = next(events)[1]["assistant_message_id"]
            received = []
            deadline = time.monotonic() + 2.5
            while time.monotonic() < deadline:
                received.append(next(events))
            assert server.process is not None
            children = psutil.Process(server.process.pid).children()
            assert children, "the simulator runs as the server's child"
            server.stop(signal.SIGKILL)
    # The simulator child does not outlive its killed parent.
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive
    streamed = text_of(received)
    with running_server(tmp_path) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        stored = next(m for m in client.get(f"/api/conversations/{cid}").json()["messages"] if m["id"] == answer_id)
    assert stored["status"] == "interrupted"
    assert stored["error"]["code"] == "interrupted"
    assert streamed.startswith(stored["content"]) and stored["content"]
    lost_chunks = len(received) - len(stored["content"].split(" "))
    # One checkpoint interval (1 s) of chunks plus slack for scheduling on a loaded machine.
    assert lost_chunks <= 1.5 * 1000 / interval_ms


def test_local_mode_refuses_a_non_loopback_address() -> None:
    result = run_cli("serve", "--host", "0.0.0.0", "--port", "8999")
    assert result.returncode == 2
    assert "only listens on loopback" in result.stderr
    assert "0.0.0.0" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_invalid_setting_stops_start_up_with_one_clear_line() -> None:
    result = run_cli("serve", SIMULATOR_FIRST_TOKEN_MS="-5")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "SIMULATOR_FIRST_TOKEN_MS" in result.stderr
    result = run_cli("config", DATABASE_URL="mysql://x")
    assert result.returncode == 2 and "DATABASE_URL" in result.stderr
    result = run_cli("config", SCALECHAT_PORT="http")
    assert result.returncode == 2 and "SCALECHAT_PORT" in result.stderr
    result = run_cli("serve", MODEL_PROVIDER="azure")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "scalechat: invalid settings: MODEL_PROVIDER=azure needs AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT"
    )


def test_a_rejected_url_setting_is_not_echoed() -> None:
    result = run_cli("config", DATABASE_URL="mysql://app:Sup3rS3cret@db/x")
    assert result.returncode == 2 and "DATABASE_URL" in result.stderr
    assert "Sup3rS3cret" not in result.stderr
    result = run_cli("config", OPENAI_BASE_URL="http://u:Pa55word@llm.local/v1")
    assert result.returncode == 0
    assert "Pa55word" not in result.stdout and "http://u:****@llm.local/v1" in result.stdout


def test_config_prints_effective_settings_with_secrets_masked() -> None:
    result = run_cli(
        "config",
        AZURE_OPENAI_ENDPOINT="https://example.openai.azure.com",
        AZURE_OPENAI_API_KEY="sk-very-secret-key",
        AZURE_OPENAI_DEPLOYMENT="gpt-4o",
        DATABASE_URL="postgresql+asyncpg://app:hunter2@db.example/scalechat",
    )
    assert result.returncode == 0, result.stderr
    assert "sk-very-secret-key" not in result.stdout and "hunter2" not in result.stdout
    config = orjson.loads(result.stdout)
    assert config["azure_openai"]["endpoint"] == "https://example.openai.azure.com"
    assert config["azure_openai"]["api_key"] == "**********"
    assert config["database_url"] == "postgresql+asyncpg://app:****@db.example/scalechat"
    assert config["provider (effective)"] == "azure"


def test_migrate_creates_the_schema(tmp_path: Path) -> None:
    result = run_cli("migrate", SCALECHAT_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "scalechat.db").exists()


def test_logs_are_json_with_request_ids_and_no_message_text(tmp_path: Path) -> None:
    secret_question = "my-confidential-question-4711"
    with running_server(tmp_path) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        cid = client.post("/api/conversations", json={}).json()["id"]
        stream(client, "POST", f"/api/conversations/{cid}/messages", json={"content": secret_question})
        client.get("/api/conversations", headers={"x-request-id": "trace-me-1"})
    log = server.log()
    assert secret_question not in log
    assert "confidential" not in log
    entries = [orjson.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert entries
    requests = [e for e in entries if e["event"] == "request"]
    assert any(e.get("request_id") == "trace-me-1" and e["status"] == 200 for e in requests)
    finished = [e for e in entries if e["event"] == "generation.finished"]
    assert finished and finished[0]["status"] == "completed" and finished[0]["request_id"]
