"""Data-subject requests and the analysts' export, through the real CLI beside a real server.

The server and the commands share one data folder and settings, as an operator would run
them: the server keeps chatting while `scalechat users ...` acts on the same data.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pyarrow.parquet as pq
import pytest

from tests.postgres_server import PostgresServer
from tests.support import ServerProcess, clean_env, running_server, stream

USER = "local-user"  # local mode: every request is this user


def scalechat(server: ServerProcess, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    env = clean_env({"SCALECHAT_DATA_DIR": str(server.data_dir), **server.env})
    result = subprocess.run(
        [sys.executable, "-m", "scalechat", *args], env=env, capture_output=True, timeout=60, stdin=subprocess.DEVNULL
    )
    if check:
        assert result.returncode == 0, result.stderr.decode()
    return result


@pytest.fixture(scope="module", params=["sqlite+jsonl", "postgresql+sql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """Conversations in SQLite with the prompt log in files; or both in one PostgreSQL database."""
    env = {"PROMPTLOG_CONTENT": "full"}
    if request.param == "sqlite+jsonl":
        env["PROMPTLOG_SINK"] = "jsonl"
    else:
        postgres: PostgresServer = request.getfixturevalue("postgres")
        env |= {"PROMPTLOG_SINK": "sql", "DATABASE_URL": postgres.url(postgres.fresh_database("ops"))}
    with running_server(tmp_path_factory.mktemp("user-data"), **env) as s:
        yield s


@pytest.fixture
def client(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


def chat(client: httpx.Client, question: str) -> tuple[str, str]:
    """A conversation with one answered question: (conversation id, answer id)."""
    cid = client.post("/api/conversations", json={}).json()["id"]
    events = stream(client, "POST", f"/api/conversations/{cid}/messages", json={"content": question})
    assert events[-1][0] == "done"
    return cid, events[0][1]["assistant_message_id"]


def prompt_log_ids(server: ServerProcess) -> list[str]:
    """Ids in the prompt log, read from the sink's own storage (not through our code)."""
    if "DATABASE_URL" in server.env:
        url = server.env["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
        out = subprocess.run(["psql", url, "-qAtc", "SELECT id FROM chat_log"], capture_output=True, check=True)
        return out.stdout.decode().split()
    ids: list[str] = []
    for path in sorted((server.data_dir / "promptlog").glob("chat_log-*.jsonl")):
        ids += [orjson.loads(line)["id"] for line in path.read_bytes().splitlines() if line]
    return ids


def wait_for_records(server: ServerProcess, wanted: set[str]) -> None:
    deadline = time.monotonic() + 15
    while not wanted <= set(prompt_log_ids(server)):
        assert time.monotonic() < deadline, f"prompt log never got {wanted - set(prompt_log_ids(server))}"
        time.sleep(0.1)


def test_export_holds_everything_kept_about_the_user(
    server: ServerProcess, client: httpx.Client, tmp_path: Path
) -> None:
    cid, answer_id = chat(client, "What is the capital of Japan?")
    assert client.post(f"/api/messages/{answer_id}/feedback", json={"rating": "down", "comment": "vague"}).is_success
    assert client.patch(f"/api/messages/{answer_id}", json={"content": "Tokyo."}).is_success
    preset = client.post("/api/presets", json={"name": "Export me", "system_prompt": "Be brief."}).json()
    wait_for_records(server, {answer_id})

    output = tmp_path / "alice.json"
    result = scalechat(server, "users", "export", USER, "--output", str(output))
    document: dict[str, Any] = orjson.loads(output.read_bytes())
    assert output.stat().st_mode & 0o077 == 0  # the operator's eyes only

    assert document["format"] == "scalechat.user-data" and document["user_id"] == USER
    conversation = next(c for c in document["conversations"] if c["id"] == cid)
    question, answer = conversation["messages"]
    assert question["content"] == "What is the capital of Japan?"
    assert answer["content"] == "Tokyo." and answer["original_content"] and answer["edited_at"]
    assert answer["feedback"]["rating"] == "down" and answer["feedback"]["comment"] == "vague"
    assert [p["name"] for p in document["presets"]] == ["Export me"]
    record = next(r for r in document["prompt_log"] if r["id"] == answer_id)
    assert record["message"]["prompt"][-1] == {"role": "user", "content": "What is the capital of Japan?"}
    assert b"conversations" in result.stderr  # a one-line summary for the operator
    client.delete(f"/api/presets/{preset['id']}")


def test_delete_erases_the_user_everywhere(server: ServerProcess, client: httpx.Client) -> None:
    """Other users' data surviving an erasure is held by the contract suite (`delete_user_data`)."""
    cid, answer_id = chat(client, "Forget me")
    assert client.post("/api/presets", json={"name": "Forget me too", "system_prompt": ""}).status_code == 201
    wait_for_records(server, {answer_id})

    refused = scalechat(server, "users", "delete", USER, check=False)
    assert refused.returncode == 2 and b"--yes" in refused.stderr
    assert client.get(f"/api/conversations/{cid}").status_code == 200  # nothing erased without --yes

    result = scalechat(server, "users", "delete", USER, "--yes")
    assert b"removed" in result.stderr

    assert client.get(f"/api/conversations/{cid}").status_code == 404
    assert client.get("/api/conversations").json()["items"] == []
    assert client.get("/api/presets").json()["items"] == []
    assert answer_id not in prompt_log_ids(server)
    again = orjson.loads(scalechat(server, "users", "export", USER).stdout)
    assert again["conversations"] == [] and again["prompt_log"] == []

    # The server goes on serving the same user afterwards, from a clean slate.
    _, new_answer = chat(client, "Hello again")
    wait_for_records(server, {new_answer})


def test_prompt_log_exports_as_json_lines_and_parquet(
    server: ServerProcess, client: httpx.Client, tmp_path: Path
) -> None:
    answers = {chat(client, f"Question {n}")[1] for n in range(3)}
    wait_for_records(server, answers)

    lines = scalechat(server, "promptlog", "export", "--since", "2000-01-01").stdout.splitlines()
    exported = {orjson.loads(line)["id"]: orjson.loads(line) for line in lines}
    assert answers <= set(exported)
    assert set(exported) == set(prompt_log_ids(server))

    path = tmp_path / "log.parquet"
    scalechat(server, "promptlog", "export", "--since", "2000-01-01", "--format", "parquet", "--output", str(path))
    table = pq.read_table(path)
    assert path.stat().st_mode & 0o077 == 0
    assert table.num_rows == len(exported)
    rows = {row["id"]: row for row in table.to_pylist()}
    some = next(iter(answers))
    assert rows[some]["chat_session_id"] == exported[some]["chat_session_id"]
    assert rows[some]["user_id"] == USER and rows[some]["status"] == "completed"
    assert rows[some]["prompt"][-1]["role"] == "user" and rows[some]["completion"]
    assert orjson.loads(rows[some]["document"]) == exported[some]

    future = scalechat(server, "promptlog", "export", "--since", "2999-01-01").stdout
    assert future == b""
    refused = scalechat(server, "promptlog", "export", "--since", "2000-01-01", "--format", "parquet", check=False)
    assert refused.returncode == 2 and b"--output" in refused.stderr
