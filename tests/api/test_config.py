"""GET /api/config: a new chat's defaults and the server's limits, as the server applies them."""

from __future__ import annotations

import httpx


def test_config_matches_what_a_new_conversation_gets(client: httpx.Client) -> None:
    config = client.get("/api/config").json()
    created = client.post("/api/conversations", json={}).json()
    assert config["default_system_prompt"] == created["system_prompt"]
    assert config["default_parameters"] == created["parameters"]
    models = client.get("/api/models").json()
    assert config["default_model"] == models["default"]
    assert config["max_content_chars"] == 100_000


def test_limits_are_the_ones_enforced(client: httpx.Client) -> None:
    limit = client.get("/api/config").json()["max_system_prompt_chars"]
    too_long = client.post("/api/conversations", json={"system_prompt": "x" * (limit + 1)})
    assert too_long.status_code in (413, 422)
    assert client.post("/api/conversations", json={"system_prompt": "x" * limit}).status_code == 201
