"""/api/me and the operation ids of the routes the web app uses."""

from __future__ import annotations

import httpx


def test_me_in_local_mode(client: httpx.Client) -> None:
    response = client.get("/api/me")
    assert response.status_code == 200
    assert response.json() == {
        "id": "local-user",
        "name": "Local user",
        "email": None,
        "roles": ["admin", "user"],
        "auth_mode": "local",
        "tenant_id": None,
        "initials": "LU",
        "photo_url": None,
        "can_sign_out": False,
    }


def test_new_routes_have_stable_operation_ids(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    operation_ids = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert {
        "getMe", "setFeedback", "deleteFeedback", "editMessage",
        "listPresets", "createPreset", "updatePreset", "deletePreset",
    } <= operation_ids  # fmt: skip
