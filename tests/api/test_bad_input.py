"""Every kind of bad input gets problem+json with a stable code, and writes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

PROBLEM = "application/problem+json"


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    assert "Traceback" not in response.text
    return body


def message_count(client: httpx.Client, cid: object) -> int:
    return len(client.get(f"/api/conversations/{cid}").json()["messages"])


def test_malformed_json(client: httpx.Client, conversation: dict[str, Any]) -> None:
    response = client.post(
        f"/api/conversations/{conversation['id']}/messages",
        content=b'{"content": "hi"',
        headers={"content-type": "application/json"},
    )
    assert_problem(response, 400, "malformed_json")
    assert message_count(client, conversation["id"]) == 0
    response = client.post("/api/conversations", content=b"[1,", headers={"content-type": "application/json"})
    assert_problem(response, 400, "malformed_json")


@pytest.mark.parametrize(
    "body",
    [{}, {"content": None}, {"content": 12}, {"content": "hi", "unexpected": 1}],
    ids=["missing", "null", "number", "unknown-field"],
)
def test_missing_or_wrong_content(client: httpx.Client, conversation: dict[str, Any], body: object) -> None:
    response = client.post(f"/api/conversations/{conversation['id']}/messages", json=body)
    assert_problem(response, 422, "validation_failed")
    assert message_count(client, conversation["id"]) == 0


@pytest.mark.parametrize("content", ["", "   \n\t "])
def test_empty_content(client: httpx.Client, conversation: dict[str, Any], content: str) -> None:
    response = client.post(f"/api/conversations/{conversation['id']}/messages", json={"content": content})
    assert_problem(response, 422, "content_empty")
    assert message_count(client, conversation["id"]) == 0


def test_content_over_the_limit(client: httpx.Client, conversation: dict[str, Any]) -> None:
    response = client.post(f"/api/conversations/{conversation['id']}/messages", json={"content": "x" * 100_001})
    body = assert_problem(response, 413, "content_too_large")
    assert body["limit"] == 100_000
    assert message_count(client, conversation["id"]) == 0


@pytest.mark.parametrize(
    "parameters",
    [
        {"temperature": 2.5},
        {"temperature": -0.1},
        {"top_p": 1.5},
        {"max_tokens": 0},
        {"max_tokens": 10**9},
        {"past_messages": -1},
        {"past_messages": 1000},
        {"temperature": "hot"},
        {"seed": 3},
    ],
)
def test_parameters_out_of_bounds(client: httpx.Client, conversation: dict[str, Any], parameters: object) -> None:
    cid = conversation["id"]
    response = client.post(f"/api/conversations/{cid}/messages", json={"content": "hi", "parameters": parameters})
    assert_problem(response, 422, "validation_failed")
    assert message_count(client, cid) == 0
    assert_problem(client.patch(f"/api/conversations/{cid}", json={"parameters": parameters}), 422, "validation_failed")
    assert_problem(client.post("/api/conversations", json={"parameters": parameters}), 422, "validation_failed")
    assert client.get(f"/api/conversations/{cid}").json()["parameters"] == conversation["parameters"]


def test_the_validation_problem_names_the_field(client: httpx.Client, conversation: dict[str, Any]) -> None:
    response = client.post(
        f"/api/conversations/{conversation['id']}/messages", json={"content": "hi", "parameters": {"top_p": 3}}
    )
    body = assert_problem(response, 422, "validation_failed")
    assert "parameters.top_p" in str(body["detail"])


def test_unknown_conversation(client: httpx.Client) -> None:
    assert_problem(client.get("/api/conversations/nope"), 404, "conversation_not_found")
    assert_problem(client.patch("/api/conversations/nope", json={"title": "x"}), 404, "conversation_not_found")
    assert_problem(client.delete("/api/conversations/nope"), 404, "conversation_not_found")
    assert_problem(client.get("/api/conversations/nope/export"), 404, "conversation_not_found")
    response = client.post("/api/conversations/nope/messages", json={"content": "hi"})
    assert_problem(response, 404, "conversation_not_found")


def test_unknown_message(client: httpx.Client) -> None:
    assert_problem(client.get("/api/messages/nope/stream"), 404, "message_not_found")
    assert_problem(client.post("/api/messages/nope/stop"), 404, "message_not_found")
    assert_problem(client.post("/api/messages/nope/regenerate"), 404, "message_not_found")


def test_parent_from_another_conversation(client: httpx.Client, conversation: dict[str, Any]) -> None:
    other = client.post("/api/conversations", json={}).json()["id"]
    with client.stream("POST", f"/api/conversations/{other}/messages", json={"content": "elsewhere"}) as response:
        foreign_answer = None
        for line in response.iter_lines():
            if line.startswith("data:") and "assistant_message_id" in line:
                foreign_answer = httpx.Response(200, content=line[5:]).json()["assistant_message_id"]
        assert foreign_answer
    cid = conversation["id"]
    response = client.post(f"/api/conversations/{cid}/messages", json={"content": "hi", "parent_id": foreign_answer})
    assert_problem(response, 422, "invalid_parent")
    response = client.post(f"/api/conversations/{cid}/messages", json={"content": "hi", "parent_id": "nope"})
    assert_problem(response, 422, "invalid_parent")
    assert message_count(client, cid) == 0
    response = client.patch(f"/api/conversations/{cid}", json={"current_message_id": foreign_answer})
    assert_problem(response, 422, "invalid_message")


def test_a_question_cannot_follow_a_question(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    with client.stream("POST", f"/api/conversations/{cid}/messages", json={"content": "q1"}) as response:
        lines = list(response.iter_lines())  # the whole answer: a second question must not conflict
    created = next(line for line in lines if "user_message_id" in line)
    question_id = httpx.Response(200, content=created[5:]).json()["user_message_id"]
    response = client.post(f"/api/conversations/{cid}/messages", json={"content": "q2", "parent_id": question_id})
    assert_problem(response, 422, "invalid_parent")
    assert_problem(client.post(f"/api/messages/{question_id}/regenerate"), 422, "not_an_answer")
    assert message_count(client, cid) == 2


@pytest.mark.parametrize("cursor", ["garbage", "!!!", "eyJhIjoxfQ", "WyJub3QtYS1kYXRlIiwiaWQiXQ"])
def test_malformed_cursor(client: httpx.Client, cursor: str) -> None:
    assert_problem(client.get("/api/conversations", params={"cursor": cursor}), 422, "invalid_cursor")


@pytest.mark.parametrize("limit", [0, -1, 101, "ten"])
def test_limit_out_of_bounds(client: httpx.Client, limit: int | str) -> None:
    assert_problem(client.get("/api/conversations", params={"limit": limit}), 422, "validation_failed")


def test_unknown_export_format(client: httpx.Client, conversation: dict[str, Any]) -> None:
    response = client.get(f"/api/conversations/{conversation['id']}/export", params={"format": "pdf"})
    assert_problem(response, 422, "validation_failed")


def test_title_over_its_limit(client: httpx.Client, conversation: dict[str, Any]) -> None:
    assert_problem(client.post("/api/conversations", json={"title": "t" * 201}), 422, "title_too_long")
    response = client.patch(f"/api/conversations/{conversation['id']}", json={"title": "t" * 201})
    assert_problem(response, 422, "title_too_long")
    assert_problem(client.patch(f"/api/conversations/{conversation['id']}", json={"title": "  "}), 422, "title_empty")
    assert client.get(f"/api/conversations/{conversation['id']}").json()["title"] == "New chat"


def test_unknown_model(client: httpx.Client, conversation: dict[str, Any]) -> None:
    response = client.post(
        f"/api/conversations/{conversation['id']}/messages", json={"content": "hi", "model": "gpt-9"}
    )
    assert_problem(response, 422, "unknown_model")
    assert_problem(client.post("/api/conversations", json={"model": "gpt-9"}), 422, "unknown_model")
    assert message_count(client, conversation["id"]) == 0


def test_question_too_long_for_the_model(client: httpx.Client) -> None:
    cid = client.post("/api/conversations", json={"parameters": {"max_tokens": 32000}}).json()["id"]
    response = client.post(f"/api/conversations/{cid}/messages", json={"content": "word " * 5000})
    body = assert_problem(response, 422, "prompt_too_long")
    assert "tokens" in str(body["detail"])
    assert message_count(client, cid) == 0


def test_unknown_route_and_method(client: httpx.Client) -> None:
    assert_problem(client.get("/api/nothing"), 404, "not_found")
    assert_problem(client.put("/api/conversations"), 405, "method_not_allowed")


def test_every_response_has_a_request_id_and_security_headers(client: httpx.Client) -> None:
    response = client.get("/api/conversations", headers={"x-request-id": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    hostile = client.get("/api/conversations", headers={"x-request-id": "bad id\twith spaces"})
    assert hostile.headers["x-request-id"] != "bad id\twith spaces"


def test_nul_characters_are_refused(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    response = client.post(f"/api/conversations/{cid}/messages", json={"content": "a\u0000b"})
    assert_problem(response, 422, "invalid_characters")
    assert_problem(client.post("/api/conversations", json={"title": "x\u0000"}), 422, "invalid_characters")
    response = client.patch(f"/api/conversations/{cid}", json={"system_prompt": "\u0000"})
    assert_problem(response, 422, "invalid_characters")
    assert_problem(client.get("/api/conversations", params={"q": "a\u0000"}), 400, "invalid_characters")
    assert_problem(client.get("/api/conversations/a%00b"), 400, "invalid_characters")
    assert message_count(client, cid) == 0


def test_a_body_over_the_limit_is_refused_before_it_is_parsed(
    client: httpx.Client, conversation: dict[str, Any]
) -> None:
    huge = b'{"content": "' + b"x" * 3_000_000 + b'"}'
    response = client.post(
        f"/api/conversations/{conversation['id']}/messages", content=huge, headers={"content-type": "application/json"}
    )
    assert_problem(response, 413, "body_too_large")

    def chunks() -> Any:
        yield huge  # no content-length: the limit is enforced while reading

    response = client.post(
        f"/api/conversations/{conversation['id']}/messages",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert_problem(response, 413, "body_too_large")
    assert message_count(client, conversation["id"]) == 0
