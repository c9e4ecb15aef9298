"""Erasing one user's data (a data-subject request): everything of theirs, nothing of anyone else's."""

from __future__ import annotations

import pytest

from scalechat.domain import Feedback, MessageStatus
from scalechat.store.factory import Backend
from tests.contract.builders import at, chat_with_answer, fresh_user, preset

pytestmark = pytest.mark.anyio


async def test_erasing_a_user_removes_all_their_items_and_only_theirs(backend: Backend) -> None:
    store = backend.store
    gone, stays = fresh_user(), fresh_user()
    holdings = {}
    for person in (gone, stays):
        first, _, answered = await chat_with_answer(store, person, status=MessageStatus.COMPLETED)
        second, _, _ = await chat_with_answer(store, person)
        await store.set_feedback(Feedback(answered.id, person, "up", None, None, at(0), at(0)))
        kept_preset = preset(person, "Mine")
        await store.create_preset(kept_preset, limit=10)
        holdings[person] = (first, second, answered, kept_preset)

    # Items: two conversations, four messages, one preset (feedback goes with its message).
    assert await store.delete_user_data(gone) == 7

    first, second, answered, gone_preset = holdings[gone]
    assert (await store.list_conversations(gone, limit=10, cursor=None, query=None)).items == []
    assert await store.get_conversation_with_messages(gone, first.id) is None
    assert await store.get_message(gone, answered.id) is None
    assert await store.list_presets(gone) == []
    assert await store.get_preset(gone, gone_preset.id) is None
    assert await store.delete_user_data(gone) == 0  # safe to run again

    first, second, answered, kept_preset = holdings[stays]
    listed = await store.list_conversations(stays, limit=10, cursor=None, query=None)
    assert {c.id for c in listed.items} == {first.id, second.id}
    read = await store.get_message(stays, answered.id)
    assert read is not None and read.feedback is not None
    assert await store.list_presets(stays) == [kept_preset]


async def test_erasing_a_user_without_data_removes_nothing(backend: Backend) -> None:
    assert await backend.store.delete_user_data(fresh_user()) == 0
