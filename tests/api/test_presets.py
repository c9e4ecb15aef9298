"""Presets over the real HTTP API. The server is shared: each test deletes the presets it made."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from scalechat.domain import new_id
from scalechat.services.presets import MAX_PRESETS_PER_USER
from tests.api.test_bad_input import assert_problem

DEFAULT_PARAMETERS = {"max_tokens": 1024, "temperature": 0.7, "top_p": 0.95, "past_messages": 10}

MakePreset = Callable[..., dict[str, Any]]


@pytest.fixture
def make_preset(client: httpx.Client) -> Iterator[MakePreset]:
    """Create a preset (a unique name unless given); every preset made is deleted afterwards."""
    made: list[str] = []

    def make(**body: Any) -> dict[str, Any]:
        body.setdefault("name", f"preset {new_id()}")
        response = client.post("/api/presets", json=body)
        assert response.status_code == 201, response.text
        preset: dict[str, Any] = response.json()
        made.append(preset["id"])
        return preset

    yield make
    for preset_id in made:
        client.delete(f"/api/presets/{preset_id}")


def listed(client: httpx.Client) -> list[dict[str, Any]]:
    response = client.get("/api/presets")
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_create_with_defaults(make_preset: MakePreset) -> None:
    name = f"  Defaults {new_id()}  "
    preset = make_preset(name=name)
    assert set(preset) == {"id", "name", "system_prompt", "parameters", "model", "created_at", "updated_at"}
    assert preset["name"] == name.strip()
    assert preset["system_prompt"] == ""
    assert preset["parameters"] == DEFAULT_PARAMETERS
    assert preset["model"] is None
    assert preset["created_at"] == preset["updated_at"]


def test_create_with_everything_and_read_back(client: httpx.Client, make_preset: MakePreset) -> None:
    preset = make_preset(
        system_prompt="Answer as a lawyer.", parameters={"temperature": 0.1, "max_tokens": 300}, model="simulated"
    )
    assert preset["system_prompt"] == "Answer as a lawyer."
    assert preset["parameters"] == {**DEFAULT_PARAMETERS, "temperature": 0.1, "max_tokens": 300}
    assert preset["model"] == "simulated"
    assert next(p for p in listed(client) if p["id"] == preset["id"]) == preset


def test_the_list_is_sorted_by_name_ignoring_case(client: httpx.Client, make_preset: MakePreset) -> None:
    tag = new_id()
    names = [f"{tag} beta", f"{tag} Alpha", f"{tag} alpha 2", f"{tag} Gamma", f"{tag} Ärger"]
    ids = {make_preset(name=name)["id"] for name in names}
    order = [p["name"] for p in listed(client) if p["id"] in ids]
    assert order == [f"{tag} Alpha", f"{tag} alpha 2", f"{tag} beta", f"{tag} Gamma", f"{tag} Ärger"]


def test_patch_changes_only_what_is_given(client: httpx.Client, make_preset: MakePreset) -> None:
    preset = make_preset(system_prompt="Be brief.", parameters={"temperature": 0.2}, model="simulated")
    response = client.patch(f"/api/presets/{preset['id']}", json={"name": " Renamed ", "parameters": {"top_p": 0.5}})
    assert response.status_code == 200
    patched = response.json()
    assert patched["name"] == "Renamed"
    assert patched["system_prompt"] == "Be brief."
    assert patched["parameters"] == {**DEFAULT_PARAMETERS, "temperature": 0.2, "top_p": 0.5}
    assert patched["model"] == "simulated"
    assert patched["created_at"] == preset["created_at"]
    assert datetime.fromisoformat(patched["updated_at"]) > datetime.fromisoformat(preset["updated_at"])
    assert next(p for p in listed(client) if p["id"] == preset["id"]) == patched


def test_patch_model_null_means_the_default_model(client: httpx.Client, make_preset: MakePreset) -> None:
    preset = make_preset(model="simulated")
    assert client.patch(f"/api/presets/{preset['id']}", json={"system_prompt": "x"}).json()["model"] == "simulated"
    assert client.patch(f"/api/presets/{preset['id']}", json={"model": None}).json()["model"] is None


def test_delete(client: httpx.Client, make_preset: MakePreset) -> None:
    preset = make_preset()
    deleted = client.delete(f"/api/presets/{preset['id']}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert preset["id"] not in {p["id"] for p in listed(client)}
    assert_problem(client.delete(f"/api/presets/{preset['id']}"), 404, "preset_not_found")


def test_a_name_is_taken_once_per_user(client: httpx.Client, make_preset: MakePreset) -> None:
    name = f"Taken {new_id()}"
    first = make_preset(name=name)
    assert_problem(client.post("/api/presets", json={"name": name}), 409, "preset_name_taken")
    assert_problem(client.post("/api/presets", json={"name": f"  {name} "}), 409, "preset_name_taken")
    other = make_preset(name=name.upper())  # names differ by case: both allowed
    response = client.patch(f"/api/presets/{other['id']}", json={"name": name, "system_prompt": "changed"})
    assert_problem(response, 409, "preset_name_taken")
    assert client.patch(f"/api/presets/{first['id']}", json={"name": name}).status_code == 200  # its own name
    names = {p["id"]: p for p in listed(client)}
    assert [p["name"] for p in listed(client)].count(name) == 1
    assert names[other["id"]] == other  # the refused patch wrote nothing


def test_at_most_a_hundred_presets(client: httpx.Client, make_preset: MakePreset) -> None:
    for _ in range(MAX_PRESETS_PER_USER - len(listed(client))):
        make_preset()
    assert len(listed(client)) == MAX_PRESETS_PER_USER
    assert_problem(client.post("/api/presets", json={"name": f"one more {new_id()}"}), 409, "too_many_presets")
    assert len(listed(client)) == MAX_PRESETS_PER_USER


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"name": ""}, 422, "name_empty"),
        ({"name": "   "}, 422, "name_empty"),
        ({"name": "n" * 101}, 422, "name_too_long"),
        ({"name": "a\u0000b"}, 422, "invalid_characters"),
        ({"name": "ok", "system_prompt": "s" * 20_001}, 422, "system_prompt_too_long"),
        ({"name": "ok", "system_prompt": "\u0000"}, 422, "invalid_characters"),
        ({"name": "ok", "model": "gpt-9"}, 422, "unknown_model"),
        ({"name": "ok", "parameters": {"temperature": 3}}, 422, "validation_failed"),
        ({"name": "ok", "parameters": {"seed": 1}}, 422, "validation_failed"),
        ({"name": "ok", "colour": "red"}, 422, "validation_failed"),
        ({"name": 7}, 422, "validation_failed"),
        ({}, 422, "validation_failed"),
    ],
)
def test_refused_input_creates_nothing_and_changes_nothing(
    client: httpx.Client, make_preset: MakePreset, body: dict[str, Any], status: int, code: str
) -> None:
    before = listed(client)
    assert_problem(client.post("/api/presets", json=body), status, code)
    assert listed(client) == before
    preset = make_preset()
    if body:
        assert_problem(client.patch(f"/api/presets/{preset['id']}", json=body), status, code)
        assert next(p for p in listed(client) if p["id"] == preset["id"]) == preset


def test_name_limits_are_counted_after_stripping(make_preset: MakePreset) -> None:
    name = "n" * 100
    assert make_preset(name=f"  {name}  ")["name"] == name


def test_unknown_preset(client: httpx.Client) -> None:
    assert_problem(client.patch("/api/presets/nope", json={"name": "x"}), 404, "preset_not_found")
    assert_problem(client.patch("/api/presets/nope", json={"parameters": {"top_p": 0.1}}), 404, "preset_not_found")
    assert_problem(client.delete("/api/presets/nope"), 404, "preset_not_found")
