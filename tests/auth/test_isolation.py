"""No user ever sees or changes another's data: every route in the OpenAPI document, walked as user A
against user B's resources. New routes are found by themselves, from the document.

For each operation with a path parameter the walk first finds a request that works on A's own
resource (the control: not 404, not a validation error), then sends the same request with B's id
and demands 404 (never 403, never the data). Operations without one (lists, creates, /api/me)
must not mention anything of B's. Finally B's data must be exactly as before the walk.

A route with a path parameter this test cannot fill, or a body it cannot build, fails the test
with a message saying what to teach it: a new route is never skipped silently.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.identity_provider import Idp
from tests.support import ServerProcess, running_server

PUBLIC = {"/healthz", "/readyz", "/api/config", "/api/models"}  # the same for everyone, by design


@pytest.fixture(scope="module")
def server(idp: Idp, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with running_server(tmp_path_factory.mktemp("isolation"), **idp.app_env()) as process:
        yield process


@dataclass
class Resources:
    """One user's conversation (a question and its answer, with feedback) and preset."""

    conversation_id: str
    question_id: str
    answer_id: str
    preset_id: str
    marker: str

    def ids_for(self, parameter: str) -> list[str]:
        ids = {
            "conversation_id": [self.conversation_id],
            "message_id": [self.answer_id, self.question_id],
            "preset_id": [self.preset_id],
        }
        if parameter not in ids:
            pytest.fail(f"path parameter {parameter!r} is new: teach the isolation test which resource it names")
        return ids[parameter]

    def all_ids(self) -> list[str]:
        return [self.conversation_id, self.question_id, self.answer_id, self.preset_id, self.marker]


def call(http: httpx.Client, method: str, url: str, body: Any) -> tuple[int, str]:
    """Send and read the whole response, streamed answers included."""
    kwargs: dict[str, Any] = {} if body is None else {"json": body}
    with http.stream(method, url, timeout=30, **kwargs) as response:
        text = response.read().decode("utf-8", "replace")
    return response.status_code, text


def seed(http: httpx.Client) -> Resources:
    marker = f"secret-{uuid.uuid4().hex}"
    conversation = http.post("/api/conversations", json={"title": f"title {marker}"}).json()
    status, text = call(http, "POST", f"/api/conversations/{conversation['id']}/messages", {"content": marker})
    assert status == 200, text
    detail = http.get(f"/api/conversations/{conversation['id']}").json()
    question, answer = detail["messages"][0], detail["messages"][1]
    assert answer["status"] == "completed"
    http.post(f"/api/messages/{answer['id']}/feedback", json={"rating": "up", "comment": marker}).raise_for_status()
    preset = http.post("/api/presets", json={"name": f"preset {marker}", "system_prompt": marker}).json()
    return Resources(conversation["id"], question["id"], answer["id"], preset["id"], marker)


def snapshot(http: httpx.Client, mine: Resources) -> dict[str, Any]:
    conversation = http.get(f"/api/conversations/{mine.conversation_id}")
    assert conversation.status_code == 200
    return {
        "conversation": conversation.json(),
        "presets": http.get("/api/presets").json(),
        "list": http.get("/api/conversations").json(),
    }


class Bodies:
    """Request bodies built from the document's schemas: candidates, simplest first."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.schemas = spec["components"]["schemas"]

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.schemas[schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def value(self, schema: dict[str, Any], name: str) -> Any:
        schema = self.resolve(schema)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [s for s in schema[key] if self.resolve(s).get("type") != "null"]
                return self.value(options[0], name)
        if "enum" in schema:
            return schema["enum"][0]
        if "const" in schema:
            return schema["const"]
        if "default" in schema and schema["default"] is not None:
            return schema["default"]
        kind = schema.get("type")
        if kind == "string":
            return f"probe {name} {uuid.uuid4().hex[:8]}"
        if kind == "integer":
            return int(schema.get("minimum", 1))
        if kind == "number":
            return float(schema.get("minimum", 0.5))
        if kind == "boolean":
            return True
        if kind == "array":
            return []
        if kind == "object":
            return {key: self.value(prop, key) for key, prop in schema.get("properties", {}).items()
                    if key in schema.get("required", [])}  # fmt: skip
        return None

    def candidates(self, operation: dict[str, Any]) -> list[Any]:
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" not in content:
            return [None]
        schema = self.resolve(content["application/json"]["schema"])
        required = self.value(schema, "body")
        optional = [key for key in schema.get("properties", {}) if key not in schema.get("required", [])]
        return [required] + [{**required, key: self.value(schema["properties"][key], key)} for key in optional]


def query_of(operation: dict[str, Any], bodies: Bodies) -> dict[str, Any]:
    return {
        p["name"]: bodies.value(p.get("schema", {}), p["name"])
        for p in operation.get("parameters", [])
        if p["in"] == "query" and p.get("required")
    }


def fill(path: str, operation: dict[str, Any], owner: Resources, choice: int) -> str | None:
    url = path
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            ids = owner.ids_for(parameter["name"])
            if choice >= len(ids):
                return None
            url = url.replace("{" + parameter["name"] + "}", ids[choice])
    return url


def test_no_route_lets_a_user_reach_another_users_data(server: ServerProcess, idp: Idp) -> None:
    spec = httpx.get(f"{server.url}/openapi.json").json()
    bodies = Bodies(spec)

    def client(who: str) -> httpx.Client:
        return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {idp.mint(who)}"}, timeout=30)

    with client("alice") as alice, client("bob") as bob:
        bobs = seed(bob)
        before = snapshot(bob, bobs)
        walked: list[str] = []
        for path, operations in spec["paths"].items():
            for method, operation in operations.items():
                name = f"{method.upper()} {path} ({operation['operationId']})"
                if path in PUBLIC:
                    walked.append(name)
                    continue
                has_path_ids = any(p["in"] == "path" for p in operation.get("parameters", []))
                query = query_of(operation, bodies)
                if not has_path_ids:
                    # Lists, creates, /api/me: A's answer must hold nothing of B's.
                    body = bodies.candidates(operation)[0]
                    url = path + ("?" + str(httpx.QueryParams(query)) if query else "")
                    status, text = call(alice, method.upper(), url, body)
                    assert status < 500, f"{name}: {status} {text[:300]}"
                    leaked = [value for value in bobs.all_ids() if value in text]
                    assert not leaked, f"{name} shows user B's data to user A: {leaked}"
                    walked.append(name)
                    continue
                probe_with_control(alice, name, path, method.upper(), operation, query, bodies, bobs)
                walked.append(name)
        after = snapshot(bob, bobs)

    assert len(walked) == sum(len(ops) for ops in spec["paths"].values())
    assert after == before, "user B's data changed while user A walked the API"


def probe_with_control(
    alice: httpx.Client,
    name: str,
    path: str,
    method: str,
    operation: dict[str, Any],
    query: dict[str, Any],
    bodies: Bodies,
    bobs: Resources,
) -> None:
    tried: list[str] = []
    for choice in range(2):
        for body in bodies.candidates(operation):
            alices = seed(alice)  # fresh each time: the control may delete or change it
            own = fill(path, operation, alices, choice)
            if own is None:
                continue
            suffix = "?" + str(httpx.QueryParams(query)) if query else ""
            status, text = call(alice, method, own + suffix, copy.deepcopy(body))
            tried.append(f"{status} with {body!r}")
            if status in (400, 404, 405, 422):
                continue  # not a request that works on A's own resource: try the next
            assert status < 500, f"{name} on A's own resource: {status} {text[:300]}"
            # The same request, aimed at B's resource.
            others = fill(path, operation, bobs, choice)
            assert others is not None
            status, text = call(alice, method, others + suffix, copy.deepcopy(body))
            assert status == 404, f"{name} with user B's id answered {status}, not 404: {text[:300]}"
            assert "not_found" in text
            leaked = [value for value in bobs.all_ids() if value in text and value not in others]
            assert not leaked, f"{name}'s 404 shows user B's data: {leaked}"
            return
    pytest.fail(
        f"{name}: no request built from its schema works on the user's own resource ({tried}); "
        "teach the isolation test how to call it"
    )
