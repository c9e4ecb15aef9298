"""Editing answers by hand and feedback on them, over the real HTTP API."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import httpx
import pytest

from scalechat.simulator.reply import count_tokens_roughly
from tests.api.test_bad_input import assert_problem
from tests.support import parse_sse, stream, text_of


def ask(client: httpx.Client, cid: object, content: str, **extra: object) -> list[tuple[str, dict[str, Any]]]:
    return stream(client, "POST", f"/api/conversations/{cid}/messages", json={"content": content, **extra})


def messages_of(client: httpx.Client, cid: object) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = client.get(f"/api/conversations/{cid}").json()["messages"]
    return messages


def answered(client: httpx.Client, cid: object, question: str = "a question") -> dict[str, Any]:
    """Ask and wait for the whole answer; the `message.created` ids."""
    created: dict[str, Any] = ask(client, cid, question)[0][1]
    return created


def stored(client: httpx.Client, cid: object, message_id: str) -> dict[str, Any]:
    return next(m for m in messages_of(client, cid) if m["id"] == message_id)


@contextmanager
def answer_being_written(client: httpx.Client, cid: object) -> Iterator[str]:
    """An answer that stays `streaming` until the block ends (then it is stopped)."""
    with client.stream("POST", f"/api/conversations/{cid}/messages", json={"content": "[[sim: hang]]"}) as response:
        answer_id: str = next(parse_sse(response.iter_lines()))[1]["assistant_message_id"]
        try:
            yield answer_id
        finally:
            client.post(f"/api/messages/{answer_id}/stop")


# -- feedback ---------------------------------------------------------------


def test_feedback_is_stored_and_shown_with_the_conversation(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    ids = answered(client, cid)
    answer_id = ids["assistant_message_id"]
    response = client.post(
        f"/api/messages/{answer_id}/feedback", json={"rating": "up", "reason": "Accurate", "comment": "Thanks!"}
    )
    assert response.status_code == 200
    feedback = response.json()
    assert set(feedback) == {"message_id", "rating", "reason", "comment", "created_at", "updated_at"}
    assert feedback["message_id"] == answer_id
    assert (feedback["rating"], feedback["reason"], feedback["comment"]) == ("up", "Accurate", "Thanks!")
    assert feedback["created_at"] == feedback["updated_at"]
    assert stored(client, cid, answer_id)["feedback"] == feedback
    assert stored(client, cid, ids["user_message_id"])["feedback"] is None


def test_feedback_given_again_replaces_it(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    answer_id = answered(client, cid)["assistant_message_id"]
    first = client.post(f"/api/messages/{answer_id}/feedback", json={"rating": "up", "comment": "good"}).json()
    second = client.post(f"/api/messages/{answer_id}/feedback", json={"rating": "down", "reason": "Wrong"}).json()
    assert second["rating"] == "down" and second["reason"] == "Wrong"
    assert second["comment"] is None  # replaced, not merged
    assert second["created_at"] == first["created_at"]
    assert datetime.fromisoformat(second["updated_at"]) > datetime.fromisoformat(first["updated_at"])
    assert stored(client, cid, answer_id)["feedback"] == second


def test_blank_reason_and_comment_are_stored_as_absent(client: httpx.Client, conversation: dict[str, Any]) -> None:
    answer_id = answered(client, conversation["id"])["assistant_message_id"]
    body = {"rating": "down", "reason": "", "comment": "  \n "}
    feedback = client.post(f"/api/messages/{answer_id}/feedback", json=body).json()
    assert feedback["reason"] is None and feedback["comment"] is None


def test_feedback_can_be_withdrawn(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    answer_id = answered(client, cid)["assistant_message_id"]
    client.post(f"/api/messages/{answer_id}/feedback", json={"rating": "up"})
    deleted = client.delete(f"/api/messages/{answer_id}/feedback")
    assert deleted.status_code == 204 and deleted.content == b""
    assert stored(client, cid, answer_id)["feedback"] is None
    assert client.delete(f"/api/messages/{answer_id}/feedback").status_code == 204  # none: still done


def test_a_question_takes_no_feedback(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    question_id = answered(client, cid)["user_message_id"]
    response = client.post(f"/api/messages/{question_id}/feedback", json={"rating": "up"})
    assert_problem(response, 422, "not_an_answer")
    assert stored(client, cid, question_id)["feedback"] is None


def test_an_answer_being_written_takes_no_feedback(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    with answer_being_written(client, cid) as answer_id:
        response = client.post(f"/api/messages/{answer_id}/feedback", json={"rating": "up"})
        body = assert_problem(response, 409, "answer_in_progress")
        assert body["message_id"] == answer_id
    assert stored(client, cid, answer_id)["feedback"] is None
    # Once it ended (here: stopped) it does.
    assert client.post(f"/api/messages/{answer_id}/feedback", json={"rating": "down"}).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"rating": "meh"},
        {"rating": None},
        {"rating": "up", "reason": "r" * 101},
        {"rating": "up", "comment": "c" * 2001},
        {"rating": "up", "reason": 3},
        {"rating": "up", "stars": 5},
    ],
    ids=["missing", "unknown-rating", "null-rating", "long-reason", "long-comment", "number", "unknown-field"],
)
def test_malformed_feedback_is_refused_and_changes_nothing(
    client: httpx.Client, conversation: dict[str, Any], body: dict[str, Any]
) -> None:
    cid = conversation["id"]
    answer_id = answered(client, cid)["assistant_message_id"]
    before = client.post(f"/api/messages/{answer_id}/feedback", json={"rating": "up", "comment": "kept"}).json()
    assert_problem(client.post(f"/api/messages/{answer_id}/feedback", json=body), 422, "validation_failed")
    assert stored(client, cid, answer_id)["feedback"] == before


def test_feedback_limits_are_inclusive(client: httpx.Client, conversation: dict[str, Any]) -> None:
    answer_id = answered(client, conversation["id"])["assistant_message_id"]
    body = {"rating": "up", "reason": "r" * 100, "comment": "c" * 2000}
    assert client.post(f"/api/messages/{answer_id}/feedback", json=body).status_code == 200


def test_nul_in_feedback_is_refused(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    answer_id = answered(client, cid)["assistant_message_id"]
    for field in ("reason", "comment"):
        response = client.post(f"/api/messages/{answer_id}/feedback", json={"rating": "up", field: "a\u0000b"})
        assert_problem(response, 422, "invalid_characters")
    assert stored(client, cid, answer_id)["feedback"] is None


def test_feedback_on_an_unknown_message(client: httpx.Client) -> None:
    assert_problem(client.post("/api/messages/nope/feedback", json={"rating": "up"}), 404, "message_not_found")
    assert_problem(client.delete("/api/messages/nope/feedback"), 404, "message_not_found")


def test_feedback_goes_with_its_conversation(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    answer_id = answered(client, cid)["assistant_message_id"]
    client.post(f"/api/messages/{answer_id}/feedback", json={"rating": "up"})
    assert client.delete(f"/api/conversations/{cid}").status_code == 204
    assert_problem(client.post(f"/api/messages/{answer_id}/feedback", json={"rating": "up"}), 404, "message_not_found")


# -- editing answers --------------------------------------------------------


def test_an_edited_answer_is_stored_and_shown(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    answer_id = answered(client, cid)["assistant_message_id"]
    assert stored(client, cid, answer_id)["edited_at"] is None
    response = client.patch(f"/api/messages/{answer_id}", json={"content": "A better answer."})
    assert response.status_code == 200
    edited = response.json()
    assert edited["id"] == answer_id and edited["content"] == "A better answer."
    assert edited["status"] == "completed" and edited["role"] == "assistant"
    assert edited["edited_at"] is not None
    assert stored(client, cid, answer_id) == edited
    again = client.patch(f"/api/messages/{answer_id}", json={"content": "An even better answer."}).json()
    assert datetime.fromisoformat(again["edited_at"]) > datetime.fromisoformat(edited["edited_at"])
    assert stored(client, cid, answer_id)["content"] == "An even better answer."


def test_editing_keeps_the_feedback(client: httpx.Client, conversation: dict[str, Any]) -> None:
    answer_id = answered(client, conversation["id"])["assistant_message_id"]
    feedback = client.post(f"/api/messages/{answer_id}/feedback", json={"rating": "down"}).json()
    assert client.patch(f"/api/messages/{answer_id}", json={"content": "fixed"}).json()["feedback"] == feedback


def test_a_stopped_answer_can_be_edited(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    with answer_being_written(client, cid) as answer_id:
        pass
    edited = client.patch(f"/api/messages/{answer_id}", json={"content": "written by hand"}).json()
    assert edited["status"] == "stopped" and edited["content"] == "written by hand"


def test_the_next_question_is_asked_with_the_edited_answer(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    first = ask(client, cid, "first question")
    answer_id = first[0][1]["assistant_message_id"]
    original = text_of(first)
    # The simulator counts the prompt it was sent (whitespace-separated words + 4 per message):
    # the same follow-up, before and after the edit, differs by exactly the answer's change.
    before = ask(client, cid, "follow-up", parent_id=answer_id)[-1][1]["usage"]["prompt_tokens"]
    replacement = "edited " * 321
    assert client.patch(f"/api/messages/{answer_id}", json={"content": replacement}).status_code == 200
    after = ask(client, cid, "follow-up", parent_id=answer_id)[-1][1]["usage"]["prompt_tokens"]
    assert after - before == count_tokens_roughly(replacement) - count_tokens_roughly(original)


def test_a_question_cannot_be_edited(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    question_id = answered(client, cid, "keep me")["user_message_id"]
    assert_problem(client.patch(f"/api/messages/{question_id}", json={"content": "x"}), 422, "not_an_answer")
    question = stored(client, cid, question_id)
    assert question["content"] == "keep me" and question["edited_at"] is None


def test_an_answer_being_written_cannot_be_edited(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    with answer_being_written(client, cid) as answer_id:
        response = client.patch(f"/api/messages/{answer_id}", json={"content": "too early"})
        assert_problem(response, 409, "answer_in_progress")
    answer = stored(client, cid, answer_id)
    assert answer["content"] == "" and answer["edited_at"] is None


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"content": ""}, 422, "content_empty"),
        ({"content": " \n\t "}, 422, "content_empty"),
        ({"content": "x" * 100_001}, 413, "content_too_large"),
        ({"content": "a\u0000b"}, 422, "invalid_characters"),
        ({}, 422, "validation_failed"),
        ({"content": None}, 422, "validation_failed"),
        ({"content": "x", "role": "user"}, 422, "validation_failed"),
    ],
    ids=["empty", "blank", "too-long", "nul", "missing", "null", "unknown-field"],
)
def test_a_refused_edit_changes_nothing(
    client: httpx.Client, conversation: dict[str, Any], body: dict[str, Any], status: int, code: str
) -> None:
    cid = conversation["id"]
    answer_id = answered(client, cid)["assistant_message_id"]
    before = stored(client, cid, answer_id)
    problem = assert_problem(client.patch(f"/api/messages/{answer_id}", json=body), status, code)
    if code == "content_too_large":
        assert problem["limit"] == 100_000
    assert stored(client, cid, answer_id) == before


def test_editing_an_unknown_message(client: httpx.Client) -> None:
    assert_problem(client.patch("/api/messages/nope", json={"content": "x"}), 404, "message_not_found")
