"""A real `scalechat serve`: one prompt-log record per answer, in the right shape, after a chat;
none when the log is off. The records are read after the server stops, which also shows that
shutdown drains the writer's queue."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx
import orjson

from tests.support import running_server, stream, text_of


def chat(url: str, questions: list[str]) -> tuple[str, list[dict[str, Any]]]:
    """Ask the questions in one new conversation; return its id and each exchange's ids and answer."""
    exchanges = []
    with httpx.Client(base_url=url, timeout=30) as client:
        cid = client.post("/api/conversations", json={"system_prompt": "Be brief."}).json()["id"]
        for question in questions:
            events = stream(client, "POST", f"/api/conversations/{cid}/messages", json={"content": question})
            exchanges.append({**events[0][1], "answer": text_of(events), "done": events[-1][1]})
    return cid, exchanges


def test_one_record_per_answer_in_the_original_shape(tmp_path: Path) -> None:
    folder = tmp_path / "promptlog"
    with running_server(
        tmp_path / "data", PROMPTLOG_SINK="jsonl", PROMPTLOG_PATH=str(folder), PROMPTLOG_CONTENT="full"
    ) as server:
        cid, exchanges = chat(server.url, ["first question", "second question"])
    records = [
        orjson.loads(line)
        for path in sorted(folder.glob("chat_log-*.jsonl"))
        for line in path.read_bytes().splitlines()
    ]
    assert [r["id"] for r in records] == [e["assistant_message_id"] for e in exchanges]
    first, second = records
    for record, exchange in zip(records, exchanges, strict=True):
        assert list(record)[:4] == ["id", "chat_session_id", "user", "message"]
        assert record["chat_session_id"] == cid
        assert record["user"] == {"name": record["user"]["name"], "user_id": "local-user"}
        message = record["message"]
        assert message["id"] == exchange["assistant_message_id"]
        assert message["previous_message_id"] == exchange["user_message_id"]
        [attributes] = message["other_attr"]
        completion = attributes["completion"]
        assert completion["choices"][0]["message"]["content"] == exchange["answer"]
        assert completion["choices"][0]["finish_reason"] == exchange["done"]["finish_reason"]
        assert attributes["usage"] == exchange["done"]["usage"] and attributes["model"] == "simulated"
        assert record["status"] == "completed" and record["provider"] == "simulator"
        assert record["deployment"] == "simulated" and record["content_mode"] == "full"
        assert (
            record["latency_ms"]["first_token"] > 0
            and record["latency_ms"]["total"] >= record["latency_ms"]["first_token"]
        )
        assert set(record["parameters"]) == {"max_tokens", "temperature", "top_p", "past_messages"}
    # What the model was sent: the system prompt and the question; then the history too.
    assert first["message"]["prompt"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "first question"},
    ]
    assert [t["role"] for t in second["message"]["prompt"]] == ["system", "user", "assistant", "user"]
    assert second["message"]["prompt"][-1]["content"] == "second question"


def test_the_default_sink_is_the_sql_database_with_redaction(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running_server(data) as server:
        _, exchanges = chat(server.url, ["my mail is jane@contoso.com"])
    with sqlite3.connect(data / "scalechat.db") as db:
        rows = db.execute("SELECT id, status, content_mode, document FROM chat_log").fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [(exchanges[0]["assistant_message_id"], "completed", "redacted")]
    document = orjson.loads(rows[0][3])
    assert document["message"]["prompt"][-1]["content"] == "my mail is [email]"
    assert "jane@contoso.com" not in rows[0][3]


def test_no_record_when_the_log_is_off(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running_server(data, PROMPTLOG_SINK="off") as server:
        chat(server.url, ["a question"])
    assert not (data / "promptlog").exists() and not (data / "promptlog-outbox").exists()
    with sqlite3.connect(data / "scalechat.db") as db:
        assert db.execute("SELECT count(*) FROM chat_log").fetchone() == (0,)
