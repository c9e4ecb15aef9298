"""`scalechat serve` on PostgreSQL: it migrates an empty database itself (several instances at once),
chats, keeps history and branches, and keeps everything across a restart."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from scalechat.store.sql.migrate import head_revision
from tests.postgres_server import PostgresServer
from tests.support import FAST_SIMULATOR, ServerProcess, running_server, stream

ASK = "/api/conversations/{}/messages"


@pytest.fixture(scope="module")
def database(postgres: PostgresServer) -> str:
    """An empty database: no tables until a server migrates it."""
    return postgres.url(postgres.create_database("serve_empty"))


@pytest.fixture(scope="module")
def pg_server(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    # Two instances start on the empty database at the same moment, as after a scale-out: both must
    # come up (the migration runs once, under an advisory lock).
    servers = [
        ServerProcess(data_dir=tmp_path_factory.mktemp(f"pg{n}"), env={"DATABASE_URL": database, **FAST_SIMULATOR})
        for n in range(2)
    ]
    failures: list[BaseException] = []

    def start(server: ServerProcess) -> None:
        try:
            server.start()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=start, args=(server,)) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert not failures, failures
        servers[1].stop()
        yield servers[0]
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def client(pg_server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=pg_server.url, timeout=30) as http:
        yield http


def ask(client: httpx.Client, cid: str, content: str) -> list[tuple[str, dict[str, Any]]]:
    return stream(client, "POST", ASK.format(cid), json={"content": content})


def test_the_server_migrated_the_empty_database_and_keeps_nothing_in_sqlite(
    pg_server: ServerProcess, postgres: PostgresServer, database: str
) -> None:
    assert postgres.psql("SELECT version_num FROM alembic_version", database.rsplit("/", 1)[1]) == head_revision()
    assert not (pg_server.data_dir / "scalechat.db").exists()


def test_a_chat_streams_and_the_history_lists_it(client: httpx.Client) -> None:
    cid = client.post("/api/conversations", json={}).json()["id"]

    events = ask(client, cid, "Plan a picnic")

    assert events[0][0] == "message.created" and events[-1][0] == "done"
    listed = client.get("/api/conversations").json()["items"]
    assert cid in [c["id"] for c in listed]
    found = client.get("/api/conversations", params={"q": "picnic"}).json()["items"]
    assert [c["id"] for c in found] == [cid]
    messages = client.get(f"/api/conversations/{cid}").json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[1]["status"] == "completed" and messages[1]["content"]


def test_a_regenerate_makes_a_branch(client: httpx.Client) -> None:
    cid = client.post("/api/conversations", json={}).json()["id"]
    first = ask(client, cid, "Name a colour")[0][1]

    again = stream(client, "POST", f"/api/messages/{first['assistant_message_id']}/regenerate")[0][1]

    messages = {m["id"]: m for m in client.get(f"/api/conversations/{cid}").json()["messages"]}
    assert len(messages) == 3
    assert messages[again["assistant_message_id"]]["parent_id"] == first["user_message_id"]
    assert messages[first["assistant_message_id"]]["parent_id"] == first["user_message_id"]
    assert client.get(f"/api/conversations/{cid}").json()["current_message_id"] == again["assistant_message_id"]


def test_feedback_and_edits_right_after_done_are_accepted(client: httpx.Client) -> None:
    # With a pool of connections the feedback may be read before the answer's end is written
    # (the spike's race): it must wait for it, not answer 409 answer_in_progress.
    cid = client.post("/api/conversations", json={}).json()["id"]
    outcomes = []
    for n in range(15):
        answer_id = ask(client, cid, f"question {n}")[0][1]["assistant_message_id"]
        outcomes.append(client.post(f"/api/messages/{answer_id}/feedback", json={"rating": "up"}).status_code)
        answer_id = ask(client, cid, f"edit {n}")[0][1]["assistant_message_id"]
        outcomes.append(client.patch(f"/api/messages/{answer_id}", json={"content": "mine"}).status_code)

    assert outcomes == [200] * 30


def test_a_restart_keeps_everything(client: httpx.Client, database: str, tmp_path: Path) -> None:
    cid = client.post("/api/conversations", json={"title": "Keep me"}).json()["id"]
    first = ask(client, cid, "first")[0][1]
    stream(client, "POST", f"/api/messages/{first['assistant_message_id']}/regenerate")
    client.post(f"/api/messages/{first['assistant_message_id']}/feedback", json={"rating": "down"})
    before = client.get(f"/api/conversations/{cid}").json()

    # Another instance, another data folder: everything comes from PostgreSQL.
    with running_server(tmp_path, DATABASE_URL=database) as server, httpx.Client(base_url=server.url) as other:
        after = other.get(f"/api/conversations/{cid}").json()

    assert after == before
    assert len(after["messages"]) == 3
