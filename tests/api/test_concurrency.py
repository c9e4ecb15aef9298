"""Requests that race: nothing is lost, nothing is forked by accident."""

from __future__ import annotations

import threading
from typing import Any

import httpx

from tests.support import parse_sse, stream

SLOW = "[[sim: chunks=40 chunk_interval_ms=20 first_token_ms=0]]"


def test_two_questions_sent_at_once_give_one_answer_and_one_conflict(
    client: httpx.Client, conversation: dict[str, Any]
) -> None:
    cid = conversation["id"]
    results: list[int | str] = []
    barrier = threading.Barrier(2)

    def send(text: str) -> None:
        with httpx.Client(base_url=str(client.base_url), timeout=30) as own:
            barrier.wait()
            with own.stream("POST", f"/api/conversations/{cid}/messages", json={"content": text}) as response:
                if response.status_code == 200:
                    list(response.iter_lines())
                    results.append(200)
                else:
                    response.read()
                    results.append(response.json()["code"])

    threads = [threading.Thread(target=send, args=(f"double click {SLOW}",)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == sorted([200, results[1] if results[0] == 200 else results[0]], key=str)
    assert results.count(200) == 1
    assert {r for r in results if r != 200} <= {"answer_in_progress", "conversation_changed"}
    assert len(client.get(f"/api/conversations/{cid}").json()["messages"]) == 2


def test_a_rename_during_an_answer_survives_it(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    with client.stream("POST", f"/api/conversations/{cid}/messages", json={"content": f"first {SLOW}"}) as response:
        events = parse_sse(response.iter_lines())
        created = next(events)[1]
        assert client.patch(f"/api/conversations/{cid}", json={"title": "Mine"}).status_code == 200
        assert list(events)[-1][0] == "done"
    after = client.get(f"/api/conversations/{cid}").json()
    assert after["title"] == "Mine"
    assert after["current_message_id"] == created["assistant_message_id"]


def test_a_follow_up_right_after_done_sees_the_whole_answer(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    for index in range(5):
        events = stream(client, "POST", f"/api/conversations/{cid}/messages", json={"content": f"q{index}"})
        assert events[-1][0] == "done"
    messages = client.get(f"/api/conversations/{cid}").json()["messages"]
    assert len(messages) == 10
    assert all(m["status"] == "completed" for m in messages)


def test_deleting_a_conversation_stops_its_answer(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    slow = "[[sim: chunks=1000 chunk_interval_ms=20 first_token_ms=0]]"
    with client.stream("POST", f"/api/conversations/{cid}/messages", json={"content": slow}) as response:
        events = parse_sse(response.iter_lines())
        answer_id = next(events)[1]["assistant_message_id"]
        next(events)
        assert client.delete(f"/api/conversations/{cid}").status_code == 204
        tail = list(events)
    assert tail[-1][0] == "done" and tail[-1][1]["finish_reason"] == "stopped"
    assert client.get(f"/api/conversations/{cid}").status_code == 404
    assert client.get(f"/api/messages/{answer_id}/stream").status_code == 404


def test_the_current_message_must_be_an_answer(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    created = stream(client, "POST", f"/api/conversations/{cid}/messages", json={"content": "hello"})[0][1]
    response = client.patch(f"/api/conversations/{cid}", json={"current_message_id": created["user_message_id"]})
    assert response.status_code == 422 and response.json()["code"] == "invalid_message"
    body = client.get(f"/api/conversations/{cid}").json()
    assert body["current_message_id"] == created["assistant_message_id"]
