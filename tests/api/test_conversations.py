"""Conversations over the real HTTP API: create, list, search, page, rename, delete, export."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support import stream, text_of


def test_create_with_defaults_and_read_back(client: httpx.Client) -> None:
    created = client.post("/api/conversations", json={})
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {
        "id", "title", "system_prompt", "parameters", "model", "created_at", "updated_at", "current_message_id",
    }  # fmt: skip
    assert body["title"] == "New chat"
    assert body["parameters"] == {"max_tokens": 1024, "temperature": 0.7, "top_p": 0.95, "past_messages": 10}
    assert body["current_message_id"] is None
    read = client.get(f"/api/conversations/{body['id']}").json()
    assert read["messages"] == []
    assert read["title"] == "New chat"


def test_create_with_title_prompt_and_parameters(client: httpx.Client) -> None:
    body = client.post(
        "/api/conversations",
        json={"title": "Plans", "system_prompt": "Answer in Japanese.", "parameters": {"temperature": 0.1}},
    ).json()
    assert body["title"] == "Plans"
    assert body["system_prompt"] == "Answer in Japanese."
    assert body["parameters"]["temperature"] == 0.1
    assert body["parameters"]["max_tokens"] == 1024


def test_first_question_names_the_conversation(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    stream(client, "POST", f"/api/conversations/{cid}/messages", json={"content": "How do I rotate keys in Key Vault?"})
    assert client.get(f"/api/conversations/{cid}").json()["title"] == "How do I rotate keys in Key Vault?"


def test_patch_renames_and_changes_parameters(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    patched = client.patch(
        f"/api/conversations/{cid}",
        json={"title": "Renamed", "system_prompt": "Be brief.", "parameters": {"max_tokens": 50, "past_messages": 2}},
    )
    assert patched.status_code == 200
    body = client.get(f"/api/conversations/{cid}").json()
    assert body["title"] == "Renamed"
    assert body["system_prompt"] == "Be brief."
    assert body["parameters"] == {"max_tokens": 50, "temperature": 0.7, "top_p": 0.95, "past_messages": 2}


def test_list_is_newest_first_with_cursor_paging(client: httpx.Client) -> None:
    marker = "paging-marker-7f3a"
    ids = [client.post("/api/conversations", json={"title": f"{marker} {i}"}).json()["id"] for i in range(5)]
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params: dict[str, str | int] = {"limit": 2, "q": marker}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/conversations", params=params).json()
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))


def test_search_finds_titles_and_message_text(client: httpx.Client) -> None:
    by_title = client.post("/api/conversations", json={"title": "Quarterly ZEBRA review"}).json()["id"]
    by_text = client.post("/api/conversations", json={"title": "Untitled thing"}).json()["id"]
    stream(client, "POST", f"/api/conversations/{by_text}/messages", json={"content": "tell me about zebras"})
    other = client.post("/api/conversations", json={"title": "Nothing here"}).json()["id"]
    found = {item["id"] for item in client.get("/api/conversations", params={"q": "zebra"}).json()["items"]}
    assert {by_title, by_text} <= found
    assert other not in found


def test_search_matches_wildcards_literally(client: httpx.Client) -> None:
    percent = client.post("/api/conversations", json={"title": "100% sure"}).json()["id"]
    underscore = client.post("/api/conversations", json={"title": "snake_case names"}).json()["id"]
    plain = client.post("/api/conversations", json={"title": "10 percent sure"}).json()["id"]
    found = {
        item["id"] for item in client.get("/api/conversations", params={"q": "0% s", "limit": 100}).json()["items"]
    }
    assert percent in found and plain not in found
    found = {item["id"] for item in client.get("/api/conversations", params={"q": "e_c", "limit": 100}).json()["items"]}
    assert underscore in found and plain not in found


def test_delete_removes_conversation_and_messages(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    events = stream(client, "POST", f"/api/conversations/{cid}/messages", json={"content": "hello"})
    answer_id = events[0][1]["assistant_message_id"]
    assert client.delete(f"/api/conversations/{cid}").status_code == 204
    assert client.get(f"/api/conversations/{cid}").status_code == 404
    assert client.get(f"/api/messages/{answer_id}/stream").status_code == 404
    assert client.delete(f"/api/conversations/{cid}").status_code == 404


def test_export_json_and_markdown(client: httpx.Client, conversation: dict[str, Any]) -> None:
    cid = conversation["id"]
    events = stream(client, "POST", f"/api/conversations/{cid}/messages", json={"content": "Export me please"})
    answer = text_of(events)
    as_json = client.get(f"/api/conversations/{cid}/export", params={"format": "json"})
    assert as_json.status_code == 200
    assert as_json.headers["content-type"].startswith("application/json")
    assert "attachment" in as_json.headers["content-disposition"]
    document = as_json.json()
    assert [m["role"] for m in document["messages"]] == ["user", "assistant"]
    assert document["messages"][1]["content"] == answer
    as_md = client.get(f"/api/conversations/{cid}/export", params={"format": "markdown"})
    assert as_md.headers["content-type"].startswith("text/markdown")
    assert as_md.text.startswith("# Export me please")
    assert "## You" in as_md.text and "## Assistant" in as_md.text
    assert "> Export me please" in as_md.text


def test_models_lists_the_simulator_labelled_simulated(client: httpx.Client) -> None:
    body = client.get("/api/models").json()
    assert body["default"] == "simulated"
    assert body["items"] == [
        {"id": "simulated", "label": "Simulated model", "provider": "simulator", "context_window": 32768,
         "simulated": True}
    ]  # fmt: skip


def test_health_and_readiness(client: httpx.Client) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "model": "ok"}


def test_openapi_has_a_stable_operation_id_for_every_route(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    operation_ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(operation_ids) == len(set(operation_ids))
    assert {
        "createConversation", "listConversations", "getConversation", "updateConversation", "deleteConversation",
        "exportConversation", "sendMessage", "streamMessage", "stopMessage", "regenerateMessage", "listModels",
    } <= set(operation_ids)  # fmt: skip
    assert client.get("/docs").status_code == 200


def test_renaming_keeps_the_chat_in_its_place(client: httpx.Client) -> None:
    first = client.post("/api/conversations", json={"title": "older"}).json()
    second = client.post("/api/conversations", json={"title": "newer"}).json()
    renamed = client.patch(f"/api/conversations/{first['id']}", json={"title": "older, renamed"}).json()
    assert renamed["updated_at"] == first["updated_at"]
    listed = [c["id"] for c in client.get("/api/conversations", params={"limit": 100}).json()["items"]]
    assert listed.index(second["id"]) < listed.index(first["id"])
    unchanged = client.patch(f"/api/conversations/{first['id']}", json={})
    assert unchanged.status_code == 200 and unchanged.json()["title"] == "older, renamed"
