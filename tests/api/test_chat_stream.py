"""Asking and streaming over the real HTTP API, with the simulator as the model."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.support import parse_sse, stream, text_of


def ask(client: httpx.Client, cid: object, content: str, **extra: object) -> list[tuple[str, dict[str, Any]]]:
    return stream(client, "POST", f"/api/conversations/{cid}/messages", json={"content": content, **extra})


def messages_of(client: httpx.Client, cid: object) -> list[dict[str, Any]]:
    body = client.get(f"/api/conversations/{cid}").json()
    messages: list[dict[str, Any]] = body["messages"]
    return messages


def test_stream_shape_and_stored_answer(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    events = ask(client, cid, "What is a **markdown** table?")
    names = [name for name, _ in events]
    assert names[0] == "message.created"
    assert names[-1] == "done"
    assert set(names[1:-1]) == {"delta"}
    created = events[0][1]
    assert set(created) == {"user_message_id", "assistant_message_id"}
    done = events[-1][1]
    assert done["finish_reason"] == "stop"
    assert done["usage"]["completion_tokens"] > 0
    answer = text_of(events)
    assert "> What is a **markdown** table?" in answer  # the simulator quotes the question
    assert "| Measure | Value |" in answer and "```python" in answer
    stored = messages_of(client, cid)
    assert [m["id"] for m in stored] == [created["user_message_id"], created["assistant_message_id"]]
    user, assistant = stored
    assert user["role"] == "user" and user["status"] == "completed" and user["parent_id"] is None
    assert assistant["role"] == "assistant" and assistant["parent_id"] == user["id"]
    assert assistant["status"] == "completed" and assistant["content"] == answer
    assert assistant["model"] == "simulated" and assistant["usage"] == done["usage"]
    conv = client.get(f"/api/conversations/{cid}").json()
    assert conv["current_message_id"] == assistant["id"]


def test_follow_up_continues_the_current_branch(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    first = ask(client, cid, "first question")[0][1]
    second = ask(client, cid, "second question")[0][1]
    stored = {m["id"]: m for m in messages_of(client, cid)}
    assert stored[second["user_message_id"]]["parent_id"] == first["assistant_message_id"]


def test_edit_makes_a_sibling_branch_and_keeps_the_old_one(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    first = ask(client, cid, "original first")[0][1]
    second = ask(client, cid, "original second")[0][1]
    # Edit the second question: a sibling under the first answer.
    edited = ask(client, cid, "edited second", parent_id=first["assistant_message_id"])[0][1]
    # Edit the first question: a new root (parent_id null).
    root = ask(client, cid, "edited first", parent_id=None)[0][1]
    stored = {m["id"]: m for m in messages_of(client, cid)}
    assert len(stored) == 8
    assert stored[edited["user_message_id"]]["parent_id"] == first["assistant_message_id"]
    assert stored[second["user_message_id"]]["parent_id"] == first["assistant_message_id"]
    assert stored[root["user_message_id"]]["parent_id"] is None
    assert client.get(f"/api/conversations/{cid}").json()["current_message_id"] == root["assistant_message_id"]
    # Switch back to the old branch.
    switched = client.patch(f"/api/conversations/{cid}", json={"current_message_id": second["assistant_message_id"]})
    assert switched.status_code == 200
    assert client.get(f"/api/conversations/{cid}").json()["current_message_id"] == second["assistant_message_id"]


def test_regenerate_adds_a_sibling_answer(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    first = ask(client, cid, "regenerate me")[0][1]
    events = stream(client, "POST", f"/api/messages/{first['assistant_message_id']}/regenerate")
    again = events[0][1]
    assert again["user_message_id"] == first["user_message_id"]
    assert again["assistant_message_id"] != first["assistant_message_id"]
    assert events[-1][0] == "done"
    stored = {m["id"]: m for m in messages_of(client, cid)}
    assert len(stored) == 3
    assert stored[again["assistant_message_id"]]["parent_id"] == first["user_message_id"]
    assert stored[first["assistant_message_id"]]["status"] == "completed"


def test_history_is_sent_and_trimmed_by_past_messages(client: httpx.Client) -> None:
    cid = client.post("/api/conversations", json={"parameters": {"past_messages": 0}}).json()["id"]
    ask(client, cid, "one")
    done = ask(client, cid, "two")[-1][1]
    # With no past messages only the system prompt and the question are sent.
    without_history = done["usage"]["prompt_tokens"]
    client.patch(f"/api/conversations/{cid}", json={"parameters": {"past_messages": 10}})
    done = ask(client, cid, "two")[-1][1]
    assert done["usage"]["prompt_tokens"] > without_history


def test_content_filter_finish_is_reported(client: httpx.Client, conversation: dict[str, Any]) -> None:
    events = ask(client, conversation["id"], "filter this [[sim: finish=content_filter chunks=5]]")
    assert events[-1] == ("done", {"finish_reason": "content_filter", "usage": events[-1][1]["usage"],
                                   "status": "completed"})  # fmt: skip
    stored = messages_of(client, conversation["id"])[-1]
    assert stored["finish_reason"] == "content_filter"


def test_rate_limit_beyond_the_retry_budget_is_an_error_event(
    client: httpx.Client, conversation: dict[str, Any]
) -> None:
    started = time.monotonic()
    events = ask(client, conversation["id"], "busy [[sim: fail=429 retry_after=30]]")
    assert time.monotonic() - started < 5  # not waiting 30 s
    name, payload = events[-1]
    assert name == "error"
    assert payload["code"] == "rate_limited"
    assert "30 seconds" in payload["detail"]
    stored = messages_of(client, conversation["id"])[-1]
    assert stored["status"] == "failed" and stored["error"]["code"] == "rate_limited"


def test_transient_failures_before_the_first_token_are_retried(
    client: httpx.Client, conversation: dict[str, Any]
) -> None:
    events = ask(client, conversation["id"], "flaky [[sim: fail=500 fail_count=1]]")
    assert events[-1][0] == "done"
    events = ask(client, conversation["id"], "flaky429 [[sim: fail=429 fail_count=2 retry_after=0.2]]")
    assert events[-1][0] == "done"


def test_a_stream_cut_halfway_keeps_the_partial_text_as_failed(
    client: httpx.Client, conversation: dict[str, Any]
) -> None:
    events = ask(client, conversation["id"], "cut [[sim: cut_after=5]]")
    assert events[-1][0] == "error"
    assert events[-1][1]["code"] == "upstream_unavailable"
    partial = text_of(events)
    assert partial
    stored = messages_of(client, conversation["id"])[-1]
    assert stored["status"] == "failed" and stored["content"] == partial


def test_reattach_replays_then_follows_live(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    slow = "slow [[sim: chunks=30 chunk_interval_ms=30 first_token_ms=0]]"
    with client.stream("POST", f"/api/conversations/{cid}/messages", json={"content": slow}) as response:
        lines = response.iter_lines()
        events = parse_sse(lines)
        created = next(events)[1]
        next(events)  # one delta, then the first client goes away
    answer_id = created["assistant_message_id"]
    # Two watchers attach while it is still being written; both get the whole answer.
    with (
        client.stream("GET", f"/api/messages/{answer_id}/stream") as first,
        client.stream("GET", f"/api/messages/{answer_id}/stream") as second,
    ):
        one = list(parse_sse(first.iter_lines()))
        two = list(parse_sse(second.iter_lines()))
    stored = messages_of(client, cid)[-1]
    assert stored["status"] == "completed"
    assert text_of(one) == text_of(two) == stored["content"]
    assert one[-1][0] == "done"
    # After the end, attaching replays the stored answer.
    replay = stream(client, "GET", f"/api/messages/{answer_id}/stream")
    assert text_of(replay) == stored["content"] and replay[-1][0] == "done"


def test_dropped_connection_still_completes_the_answer(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    with client.stream(
        "POST",
        f"/api/conversations/{cid}/messages",
        json={"content": "drop me [[sim: chunks=20 chunk_interval_ms=10]]"},
    ) as response:
        created = next(parse_sse(response.iter_lines()))[1]
    answer_id = created["assistant_message_id"]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        stored = next(m for m in messages_of(client, cid) if m["id"] == answer_id)
        if stored["status"] != "streaming":
            break
        time.sleep(0.05)
    assert stored["status"] == "completed"
    assert len(str(stored["content"]).split()) >= 15


def test_stop_cancels_upstream_and_keeps_the_partial_answer(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    slow = "stop me [[sim: chunks=500 chunk_interval_ms=20 first_token_ms=0]]"
    with client.stream("POST", f"/api/conversations/{cid}/messages", json={"content": slow}) as response:
        events = parse_sse(response.iter_lines())
        created = next(events)[1]
        received = [next(events) for _ in range(3)]
        started = time.monotonic()
        stopped = client.post(f"/api/messages/{created['assistant_message_id']}/stop")
        elapsed = time.monotonic() - started
        rest = list(events)
    assert stopped.status_code == 200
    body = stopped.json()
    assert body["status"] == "stopped"
    assert elapsed < 2
    assert rest[-1][0] == "done" and rest[-1][1]["finish_reason"] == "stopped"
    streamed = text_of(received + rest)
    assert body["content"] == streamed
    assert 3 <= len(body["content"].split()) < 400
    # Stopping again is harmless and answers the stored message.
    assert client.post(f"/api/messages/{created['assistant_message_id']}/stop").json()["status"] == "stopped"


def test_stop_works_while_the_model_hangs(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    with client.stream(
        "POST", f"/api/conversations/{cid}/messages", json={"content": "hang [[sim: hang]]"}
    ) as response:
        created = next(parse_sse(response.iter_lines()))[1]
        stopped = client.post(f"/api/messages/{created['assistant_message_id']}/stop").json()
    assert stopped["status"] == "stopped" and stopped["content"] == ""


def test_a_second_question_while_one_streams_is_a_conflict(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    with client.stream(
        "POST", f"/api/conversations/{cid}/messages", json={"content": "hang [[sim: hang]]"}
    ) as response:
        created = next(parse_sse(response.iter_lines()))[1]
        conflict = client.post(f"/api/conversations/{cid}/messages", json={"content": "another"})
        client.post(f"/api/messages/{created['assistant_message_id']}/stop")
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "answer_in_progress"


def test_echo_answers_with_the_question_itself(client: httpx.Client, conversation: dict[str, Any]) -> None:
    question = "<b>bold?</b>\n\n```js\nalert(1)\n```"
    events = ask(client, conversation["id"], question + " [[sim: echo]]")
    assert text_of(events).strip() == question
