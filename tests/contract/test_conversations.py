"""ConversationStore: conversations, the history list (paging, search) and partial updates."""

from __future__ import annotations

import pytest

from scalechat.domain import DEFAULT_TITLE, Feedback, MessageStatus, Parameters
from scalechat.store.base import ConversationChanges, Cursor, NewExchange
from scalechat.store.factory import Backend
from tests.contract.builders import answer, at, chat_with_answer, conversation, exchange, fresh_user, question

pytestmark = pytest.mark.anyio


async def test_a_conversation_reads_back_as_it_was_created(backend: Backend) -> None:
    owner = fresh_user()
    chat = conversation(owner, title="Trip planning", updated_at=at(1))
    await backend.store.create_conversation(chat)

    assert await backend.store.get_conversation(owner, chat.id) == chat


async def test_another_users_conversation_is_indistinguishable_from_a_missing_one(backend: Backend) -> None:
    owner, stranger = fresh_user(), fresh_user()
    chat, asked, _ = await chat_with_answer(backend.store, owner)
    store = backend.store

    assert await store.get_conversation(stranger, chat.id) is None
    assert await store.get_conversation_with_messages(stranger, chat.id) is None
    assert (await store.list_conversations(stranger, limit=10, cursor=None, query=None)).items == []
    assert (await store.list_conversations(stranger, limit=10, cursor=None, query="2 + 2")).items == []
    assert await store.update_conversation(stranger, chat.id, ConversationChanges(title="mine now")) is None
    assert await store.delete_conversation(stranger, chat.id) is False
    later = question(chat, "hijack", parent_id=chat.current_message_id)
    hijack = exchange(chat, later, answer(chat, later), expected=chat.current_message_id)
    assert await store.add_exchange(stranger, chat.id, hijack) is False

    stored = await store.get_conversation_with_messages(owner, chat.id)
    assert stored is not None
    assert stored[0].title == DEFAULT_TITLE
    assert [m.id for m in stored[1]] == [asked.id, stored[1][1].id]
    assert await store.get_message(owner, later.id) is None


async def test_missing_conversations_give_none_or_false(backend: Backend) -> None:
    owner, missing = fresh_user(), conversation(fresh_user()).id
    store = backend.store

    assert await store.get_conversation(owner, missing) is None
    assert await store.get_conversation_with_messages(owner, missing) is None
    assert await store.update_conversation(owner, missing, ConversationChanges(title="x")) is None
    assert await store.delete_conversation(owner, missing) is False


async def test_the_list_is_newest_first_with_ties_broken_by_id(backend: Backend) -> None:
    owner = fresh_user()
    chats = [conversation(owner, updated_at=at(n % 3)) for n in range(7)]  # three moments, many ties
    for chat in chats:
        await backend.store.create_conversation(chat)

    page = await backend.store.list_conversations(owner, limit=50, cursor=None, query=None)

    expected = sorted(chats, key=lambda c: (c.updated_at, c.id), reverse=True)
    assert [c.id for c in page.items] == [c.id for c in expected]
    assert page.next_cursor is None


@pytest.mark.parametrize("count", [7, 6])  # a last page part full, and one exactly full
async def test_pages_follow_each_other_without_gaps_or_duplicates(backend: Backend, count: int) -> None:
    owner = fresh_user()
    chats = [conversation(owner, updated_at=at(n // 2)) for n in range(count)]  # pairs share updated_at
    for chat in chats:
        await backend.store.create_conversation(chat)

    seen: list[str] = []
    cursor: Cursor | None = None
    pages = 0
    while True:
        page = await backend.store.list_conversations(owner, limit=3, cursor=cursor, query=None)
        pages += 1
        assert len(page.items) <= 3
        seen += [c.id for c in page.items]
        if page.next_cursor is None:
            break
        # The cursor survives the trip through the API's text form.
        cursor = Cursor.decode(page.next_cursor.encode())
        assert pages < 10

    expected = sorted(chats, key=lambda c: (c.updated_at, c.id), reverse=True)
    assert seen == [c.id for c in expected]
    assert pages == -(-count // 3)


async def test_search_finds_titles_and_message_text_ignoring_case(backend: Backend) -> None:
    owner = fresh_user()
    store = backend.store
    by_title = conversation(owner, title="Quarterly BUDGET review", updated_at=at(3))
    await store.create_conversation(by_title)
    by_text, _, _ = await chat_with_answer(store, owner, "Help me with the Budget spreadsheet")
    unrelated, _, _ = await chat_with_answer(store, owner, "A poem about spring")

    page = await store.list_conversations(owner, limit=10, cursor=None, query="budget")

    assert {c.id for c in page.items} == {by_title.id, by_text.id}
    assert unrelated.id not in {c.id for c in page.items}


async def test_search_takes_percent_and_underscore_literally(backend: Backend) -> None:
    owner = fresh_user()
    store = backend.store
    percent = conversation(owner, title="100% sure")
    digits = conversation(owner, title="1000 sure")
    underscore = conversation(owner, title="snake_case names")
    letters = conversation(owner, title="snakescase names")
    for chat in (percent, digits, underscore, letters):
        await store.create_conversation(chat)

    by_percent = await store.list_conversations(owner, limit=10, cursor=None, query="0% s")
    by_underscore = await store.list_conversations(owner, limit=10, cursor=None, query="e_c")

    assert [c.id for c in by_percent.items] == [percent.id]
    assert [c.id for c in by_underscore.items] == [underscore.id]


async def test_search_results_page_like_the_list(backend: Backend) -> None:
    owner = fresh_user()
    store = backend.store
    matching = [conversation(owner, title=f"Recipe {n}", updated_at=at(n // 2)) for n in range(5)]
    for chat in [*matching, conversation(owner, title="Other", updated_at=at(1))]:
        await store.create_conversation(chat)

    first = await store.list_conversations(owner, limit=3, cursor=None, query="recipe")
    assert first.next_cursor is not None
    second = await store.list_conversations(owner, limit=3, cursor=first.next_cursor, query="recipe")

    expected = sorted(matching, key=lambda c: (c.updated_at, c.id), reverse=True)
    assert [c.id for c in first.items + second.items] == [c.id for c in expected]
    assert second.next_cursor is None


async def test_an_update_writes_only_the_given_fields(backend: Backend) -> None:
    owner = fresh_user()
    store = backend.store
    chat = conversation(owner, updated_at=at(0))
    await store.create_conversation(chat)

    changed = await store.update_conversation(
        owner, chat.id, ConversationChanges(title="Renamed", parameters=Parameters(temperature=1.5))
    )

    assert changed is not None
    assert (changed.title, changed.parameters.temperature) == ("Renamed", 1.5)
    assert (changed.system_prompt, changed.model, changed.updated_at) == (chat.system_prompt, chat.model, at(0))
    assert await store.get_conversation(owner, chat.id) == changed
    assert await store.update_conversation(owner, chat.id, ConversationChanges()) == changed


async def test_a_rename_and_a_new_exchange_both_survive(backend: Backend) -> None:
    owner = fresh_user()
    store = backend.store
    chat, _, first_answer = await chat_with_answer(store, owner)
    # The rename was decided on a copy read before the exchange: it must not undo the exchange.
    await store.update_conversation(owner, chat.id, ConversationChanges(title="Arithmetic"))
    asked = question(chat, "And 3 + 3?", parent_id=first_answer.id)
    answered = answer(chat, asked)
    assert await store.add_exchange(owner, chat.id, exchange(chat, asked, answered, expected=first_answer.id))
    await store.update_conversation(owner, chat.id, ConversationChanges(system_prompt="Be kind."))

    stored = await store.get_conversation(owner, chat.id)

    assert stored is not None
    assert (stored.title, stored.system_prompt) == ("Arithmetic", "Be kind.")
    assert (stored.current_message_id, stored.updated_at) == (answered.id, answered.created_at)


async def test_switching_branch_moves_the_current_message(backend: Backend) -> None:
    owner = fresh_user()
    store = backend.store
    chat, asked, first = await chat_with_answer(store, owner)
    again = answer(chat, asked)  # a regenerated answer: a second child of the same question
    regenerate = NewExchange(
        [again], expected_current_id=first.id, current_message_id=again.id, updated_at=again.created_at
    )
    assert await store.add_exchange(owner, chat.id, regenerate)

    switched = await store.update_conversation(owner, chat.id, ConversationChanges(current_message_id=first.id))

    assert switched is not None and switched.current_message_id == first.id
    stored = await store.get_conversation_with_messages(owner, chat.id)
    assert stored is not None
    assert [m.id for m in stored[1]] == [asked.id, first.id, again.id]


async def test_messages_come_in_creation_order_with_the_conversation(backend: Backend) -> None:
    owner = fresh_user()
    store = backend.store
    chat, asked, answered = await chat_with_answer(store, owner)
    follow = question(chat, "More?", parent_id=answered.id)
    more = answer(chat, follow)
    assert await store.add_exchange(owner, chat.id, exchange(chat, follow, more, expected=answered.id))

    stored = await store.get_conversation_with_messages(owner, chat.id)

    assert stored is not None
    conversation_read, messages = stored
    assert conversation_read.id == chat.id
    assert [m.id for m in messages] == [asked.id, answered.id, follow.id, more.id]
    assert messages[0] == asked


async def test_deleting_a_conversation_removes_its_messages_and_feedback(backend: Backend) -> None:
    owner = fresh_user()
    store = backend.store
    chat, asked, answered = await chat_with_answer(store, owner, status=MessageStatus.COMPLETED)
    kept, _, _ = await chat_with_answer(store, owner)
    await store.set_feedback(Feedback(answered.id, owner, "up", None, None, at(0), at(0)))

    assert await store.delete_conversation(owner, chat.id) is True

    assert await store.get_conversation(owner, chat.id) is None
    assert await store.get_message(owner, asked.id) is None
    assert await store.get_message(owner, answered.id) is None
    assert await store.delete_feedback(owner, answered.id) is False
    assert await store.delete_conversation(owner, chat.id) is False
    assert [c.id for c in (await store.list_conversations(owner, limit=10, cursor=None, query=None)).items] == [kept.id]


async def test_ping_answers(backend: Backend) -> None:
    await backend.store.ping()
