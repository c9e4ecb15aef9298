"""PresetStore: a user's saved prompts, names unique per user, a limit per user."""

from __future__ import annotations

import pytest

from scalechat.domain import Parameters
from scalechat.errors import Conflict
from scalechat.store.base import PresetChanges
from scalechat.store.factory import Backend
from tests.contract.builders import at, fresh_user, preset

pytestmark = pytest.mark.anyio


async def test_a_preset_reads_back_as_it_was_created(backend: Backend) -> None:
    owner = fresh_user()
    made = preset(owner, "Reviewer")
    await backend.store.create_preset(made, limit=10)

    assert await backend.store.get_preset(owner, made.id) == made
    assert await backend.store.list_presets(owner) == [made]


async def test_presets_are_listed_by_name_ignoring_case(backend: Backend) -> None:
    owner = fresh_user()
    for name in ("banana", "Apple", "cherry", "apricot"):
        await backend.store.create_preset(preset(owner, name), limit=10)

    assert [p.name for p in await backend.store.list_presets(owner)] == ["Apple", "apricot", "banana", "cherry"]


async def test_a_taken_name_is_a_conflict_and_nothing_is_written(backend: Backend) -> None:
    owner, other = fresh_user(), fresh_user()
    store = backend.store
    first = preset(owner, "Translator")
    await store.create_preset(first, limit=10)
    again = preset(owner, "Translator")

    with pytest.raises(Conflict) as raised:
        await store.create_preset(again, limit=10)

    assert raised.value.code == "preset_name_taken"
    assert await store.get_preset(owner, again.id) is None
    assert await store.list_presets(owner) == [first]
    await store.create_preset(preset(other, "Translator"), limit=10)  # names are per user


async def test_the_limit_is_a_conflict_and_nothing_is_written(backend: Backend) -> None:
    owner = fresh_user()
    store = backend.store
    for n in range(3):
        await store.create_preset(preset(owner, f"P{n}"), limit=3)
    fourth = preset(owner, "P3")

    with pytest.raises(Conflict) as raised:
        await store.create_preset(fourth, limit=3)

    assert raised.value.code == "too_many_presets"
    assert await store.get_preset(owner, fourth.id) is None
    assert len(await store.list_presets(owner)) == 3
    await store.create_preset(preset(fresh_user(), "P3"), limit=3)  # counted per user


async def test_an_update_writes_only_the_given_fields(backend: Backend) -> None:
    owner = fresh_user()
    store = backend.store
    made = preset(owner, "Writer")
    await store.create_preset(made, limit=10)

    renamed = await store.update_preset(owner, made.id, PresetChanges(updated_at=at(5), name="Editor"))
    assert renamed is not None
    assert (renamed.name, renamed.system_prompt, renamed.parameters, renamed.model) == (
        "Editor",
        made.system_prompt,
        made.parameters,
        "gpt-test",
    )
    assert (renamed.created_at, renamed.updated_at) == (made.created_at, at(5))

    retuned = await store.update_preset(
        owner, made.id, PresetChanges(updated_at=at(6), parameters=Parameters(top_p=0.3), clear_model=True)
    )
    assert retuned is not None
    assert (retuned.name, retuned.parameters.top_p, retuned.model) == ("Editor", 0.3, None)
    assert await store.get_preset(owner, made.id) == retuned


async def test_a_rename_to_a_taken_name_is_a_conflict(backend: Backend) -> None:
    owner = fresh_user()
    store = backend.store
    one, two = preset(owner, "One"), preset(owner, "Two")
    for made in (one, two):
        await store.create_preset(made, limit=10)

    with pytest.raises(Conflict) as raised:
        await store.update_preset(owner, two.id, PresetChanges(updated_at=at(1), name="One"))

    assert raised.value.code == "preset_name_taken"
    assert await store.get_preset(owner, two.id) == two


async def test_another_users_preset_is_indistinguishable_from_a_missing_one(backend: Backend) -> None:
    owner, stranger = fresh_user(), fresh_user()
    store = backend.store
    made = preset(owner, "Private")
    await store.create_preset(made, limit=10)

    assert await store.get_preset(stranger, made.id) is None
    assert await store.list_presets(stranger) == []
    assert await store.update_preset(stranger, made.id, PresetChanges(updated_at=at(1), name="Stolen")) is None
    assert await store.delete_preset(stranger, made.id) is False
    assert await store.get_preset(owner, made.id) == made


async def test_deleting_a_preset(backend: Backend) -> None:
    owner = fresh_user()
    store = backend.store
    made, kept = preset(owner, "Gone"), preset(owner, "Kept")
    for p in (made, kept):
        await store.create_preset(p, limit=10)

    assert await store.delete_preset(owner, made.id) is True
    assert await store.delete_preset(owner, made.id) is False
    assert await store.get_preset(owner, made.id) is None
    assert await store.list_presets(owner) == [kept]
    assert await store.update_preset(owner, made.id, PresetChanges(updated_at=at(1), name="Back")) is None
