"""A real `scalechat serve` on Azure Cosmos DB (the test server): AZURE_COSMOSDB_ENDPOINT set and no
DATABASE_URL picks the Cosmos DB backend by itself."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cosmos_server import CosmosServer, ThrottlingProxy, fresh_database_name
from tests.support import FAST_SIMULATOR, ServerProcess, clean_env, free_port, stream, text_of


@pytest.fixture(scope="module")
def cosmos_app(
    cosmos_server: CosmosServer, cosmos_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    process = ServerProcess(
        data_dir=tmp_path_factory.mktemp("cosmos-app"), env={**FAST_SIMULATOR, **cosmos_server.app_env(cosmos_database)}
    )
    process.start()
    try:
        yield process
    finally:
        process.stop()


def _ask(http: httpx.Client, cid: str, content: str) -> list[tuple[str, dict[str, Any]]]:
    return stream(http, "POST", f"/api/conversations/{cid}/messages", json={"content": content})


def test_chat_history_regenerate_and_restart_on_cosmos(cosmos_app: ServerProcess) -> None:
    with httpx.Client(base_url=cosmos_app.url, timeout=30) as http:
        config = http.get("/api/config")
        assert config.status_code == 200
        assert http.get("/readyz").json()["checks"]["database"] == "ok"
        cid = http.post("/api/conversations", json={}).json()["id"]
        events = _ask(http, cid, "What is a cosmos?")
        assert events[0][0] == "message.created" and events[-1][0] == "done"
        created = events[0][1]
        answer = text_of(events)
        assert "> What is a cosmos?" in answer

        listed = http.get("/api/conversations").json()["items"]
        assert [c["id"] for c in listed][:1] == [cid]
        assert listed[0]["title"] != "New chat"  # the first question named it
        assert [c["id"] for c in http.get("/api/conversations", params={"q": "COSMOS"}).json()["items"]] == [cid]

        again = stream(http, "POST", f"/api/messages/{created['assistant_message_id']}/regenerate")
        assert again[-1][0] == "done"
        sibling = again[0][1]["assistant_message_id"]
        body = http.get(f"/api/conversations/{cid}").json()
        stored = {m["id"]: m for m in body["messages"]}
        assert len(stored) == 3
        assert stored[sibling]["parent_id"] == created["user_message_id"]
        assert stored[created["assistant_message_id"]]["content"] == answer
        assert body["current_message_id"] == sibling

    cosmos_app.stop()
    cosmos_app.start()  # the test server keeps its data in memory while it runs
    with httpx.Client(base_url=cosmos_app.url, timeout=30) as http:
        body = http.get(f"/api/conversations/{cid}").json()
        assert {m["id"] for m in body["messages"]} == set(stored)
        assert body["current_message_id"] == sibling


def test_paging_through_history_on_cosmos(cosmos_app: ServerProcess) -> None:
    with httpx.Client(base_url=cosmos_app.url, timeout=30) as http:
        made = [http.post("/api/conversations", json={"title": f"page {i}"}).json()["id"] for i in range(5)]
        seen: list[str] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            page = http.get("/api/conversations", params=params).json()
            seen += [c["id"] for c in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen[:5] == list(reversed(made))  # newest first
        assert len(seen) == len(set(seen))


def test_the_server_refuses_to_start_when_containers_are_missing(cosmos_server: CosmosServer, tmp_path: Path) -> None:
    env = clean_env(
        {
            **FAST_SIMULATOR,
            **cosmos_server.app_env(fresh_database_name(), AZURE_COSMOSDB_CREATE_CONTAINERS="false"),
            "SCALECHAT_DATA_DIR": str(tmp_path),
        }
    )
    done = subprocess.run(
        [sys.executable, "-m", "scalechat", "serve", "--port", "0"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("scalechat: Cosmos DB database 't-")
    assert "does not exist" in lines[0] and "AZURE_COSMOSDB_CREATE_CONTAINERS=false" in lines[0]
    assert cosmos_server.key is not None and cosmos_server.key not in done.stderr + done.stdout


def test_throttling_past_the_wait_becomes_503_with_retry_after(
    cosmos_server: CosmosServer, cosmos_database: str, tmp_path: Path
) -> None:
    with ThrottlingProxy(cosmos_server, retry_after_ms=1500) as proxy:
        env = {**FAST_SIMULATOR, **proxy.app_env(cosmos_database, AZURE_COSMOSDB_MAX_RETRY_WAIT_SECONDS="0")}
        process = ServerProcess(data_dir=tmp_path, env=env)
        process.start()
        try:
            with httpx.Client(base_url=process.url, timeout=30) as http:
                proxy.throttle(-1)
                busy = http.get("/api/conversations")
                assert busy.status_code == 503
                assert busy.headers["content-type"] == "application/problem+json"
                assert busy.json()["code"] == "storage_busy"
                assert busy.headers["retry-after"] == "2"  # 1.5 s, rounded
                proxy.throttle(0)
                assert http.get("/api/conversations").status_code == 200
        finally:
            process.stop()


def test_an_unreachable_prompt_log_account_does_not_stop_the_chat(tmp_path: Path) -> None:
    """Conversations in SQLite, the prompt log in a Cosmos DB account that cannot be reached: the
    server starts, chats work, and the record waits in the outbox (nothing waits for the log)."""
    dead = f"https://127.0.0.1:{free_port()}/"  # nothing listens there
    env = {**FAST_SIMULATOR, "AZURE_COSMOSDB_ENDPOINT": dead, "AZURE_COSMOSDB_KEY": "a2V5"}
    env |= {"STORE_BACKEND": "sql", "PROMPTLOG_SINK": "cosmos"}
    process = ServerProcess(data_dir=tmp_path, env=env)
    process.start()
    try:
        with httpx.Client(base_url=process.url, timeout=30) as http:
            cid = http.post("/api/conversations", json={}).json()["id"]
            events = _ask(http, cid, "Is anyone logging this?")
            assert events[-1][0] == "done" and text_of(events)
            answer_id = events[0][1]["assistant_message_id"]
    finally:
        process.stop()
    assert "promptlog.sink_unreachable_at_start" in process.log()
    waiting = "".join(path.read_text() for path in (tmp_path / "promptlog-outbox").rglob("*.jsonl"))
    assert answer_id in waiting, "the record should wait in the outbox for the account to come back"
