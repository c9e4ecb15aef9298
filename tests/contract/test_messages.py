"""ConversationStore: exchanges, answers as they stream and end, edits and feedback."""

from __future__ import annotations

import pytest

from scalechat.domain import DEFAULT_TITLE, Feedback, MessageStatus, Role, Usage
from scalechat.store.base import Checkpoint, ConversationChanges, FinishedMessage, MessageOutcome
from scalechat.store.factory import Backend
from tests.contract.builders import answer, at, chat_with_answer, conversation, exchange, fresh_user, question

pytestmark = pytest.mark.anyio


def finished(
    user_id: str, message_id: str, text: str, status: MessageStatus = MessageStatus.COMPLETED
) -> FinishedMessage:
    return FinishedMessage(user_id, message_id, MessageOutcome(content=text, status=status))


def feedback(user_id: str, message_id: str, rating: str = "up", *, seconds: float = 0) -> Feedback:
    assert rating in ("up", "down")
    return Feedback(
        message_id=message_id,
        user_id=user_id,
        rating="up" if rating == "up" else "down",
        reason="accurate" if rating == "up" else "wrong",
        comment=f"said at {seconds}",
        created_at=at(seconds),
        updated_at=at(seconds),
    )


async def test_the_first_exchange_moves_the_conversation_to_its_answer(backend: Backend) -> None:
    owner = fresh_user()
    store = backend.store
    chat = conversation(owner, updated_at=at(0))
    await store.create_conversation(chat)
    asked = question(chat, "Hello?")
    answered = answer(chat, asked)

    assert await store.add_exchange(owner, chat.id, exchange(chat, asked, answered, expected=None)) is True

    stored = await store.get_conversation_with_messages(owner, chat.id)
    assert stored is not None
    assert (stored[0].current_message_id, stored[0].updated_at) == (answered.id, answered.created_at)
    assert stored[1] == [asked, answered]


async def test_an_exchange_on_a_stale_current_message_writes_nothing(backend: Backend) -> None:
    owner = fresh_user()
    store = backend.store
    chat, _, current = await chat_with_answer(store, owner)
    before = await store.get_conversation(owner, chat.id)
    # Two tabs both saw the conversation before the first question: the second one loses.
    asked = question(chat, "from the other tab")
    late = answer(chat, asked)

    assert await store.add_exchange(owner, chat.id, exchange(chat, asked, late, expected=None)) is False
    also_stale = question(chat, "again")
    wrong = exchange(chat, also_stale, answer(chat, also_stale), expected=asked.id)
    assert await store.add_exchange(owner, chat.id, wrong) is False

    assert await store.get_conversation(owner, chat.id) == before
    assert before is not None and before.current_message_id == current.id
    assert await store.get_message(owner, asked.id) is None
    assert await store.get_message(owner, late.id) is None


async def test_an_exchange_on_a_missing_conversation_writes_nothing(backend: Backend) -> None:
    owner = fresh_user()
    chat = conversation(owner)  # never stored
    asked = question(chat, "anyone?")

    assert (
        await backend.store.add_exchange(owner, chat.id, exchange(chat, asked, answer(chat, asked), expected=None))
        is False
    )
    assert await backend.store.get_message(owner, asked.id) is None


async def test_the_first_question_names_a_chat_only_while_it_is_untitled(backend: Backend) -> None:
    owner = fresh_user()
    store = backend.store
    untitled = conversation(owner)
    named = conversation(owner)
    for chat in (untitled, named):
        await store.create_conversation(chat)
    await store.update_conversation(owner, named.id, ConversationChanges(title="My own name"))

    for chat in (untitled, named):
        asked = question(chat, "Plan a trip to Kyoto")
        moved = exchange(chat, asked, answer(chat, asked), expected=None, title="Trip to Kyoto")
        assert await store.add_exchange(owner, chat.id, moved)

    assert untitled.title == DEFAULT_TITLE
    assert (await store.get_conversation(owner, untitled.id)).title == "Trip to Kyoto"  # type: ignore[union-attr]
    assert (await store.get_conversation(owner, named.id)).title == "My own name"  # type: ignore[union-attr]


async def test_a_message_is_read_with_its_owners_feedback(backend: Backend) -> None:
    owner, stranger = fresh_user(), fresh_user()
    store = backend.store
    _, asked, answered = await chat_with_answer(store, owner, status=MessageStatus.COMPLETED)
    given = await store.set_feedback(feedback(owner, answered.id, "down", seconds=5))

    read = await store.get_message(owner, answered.id)

    assert read is not None and given is not None
    assert read.feedback == given == feedback(owner, answered.id, "down", seconds=5)
    assert (await store.get_message(owner, asked.id)) == asked
    assert await store.get_message(stranger, answered.id) is None
    assert await store.get_message(stranger, asked.id) is None


async def test_checkpoints_store_text_of_streaming_answers_only(backend: Backend) -> None:
    owner, stranger = fresh_user(), fresh_user()
    store = backend.store
    _, _, streaming = await chat_with_answer(store, owner)
    _, _, done = await chat_with_answer(store, owner)
    await store.finish_messages([finished(owner, done.id, "final")])
    _, _, theirs = await chat_with_answer(store, stranger)

    await store.save_checkpoints(
        [
            Checkpoint(owner, streaming.id, "Four so"),
            Checkpoint(owner, done.id, "overwritten?"),
            Checkpoint(owner, theirs.id, "not mine to write"),
        ]
    )
    await store.save_checkpoints([])

    assert (await store.get_message(owner, streaming.id)).content == "Four so"  # type: ignore[union-attr]
    read_done = await store.get_message(owner, done.id)
    assert read_done is not None and (read_done.content, read_done.status) == ("final", MessageStatus.COMPLETED)
    assert (await store.get_message(stranger, theirs.id)).content == ""  # type: ignore[union-attr]


async def test_finishing_stores_how_each_answer_ended(backend: Backend) -> None:
    owner = fresh_user()
    store = backend.store
    _, _, completed = await chat_with_answer(store, owner)
    _, _, failed = await chat_with_answer(store, owner)
    usage = Usage(prompt_tokens=12, completion_tokens=3, total_tokens=15)

    await store.finish_messages(
        [
            FinishedMessage(
                owner,
                completed.id,
                MessageOutcome("Four.", MessageStatus.COMPLETED, usage=usage, finish_reason="stop"),
            ),
            FinishedMessage(
                owner,
                failed.id,
                MessageOutcome(
                    "Fo", MessageStatus.FAILED, error_code="model_unavailable", error_detail="The model went away."
                ),
            ),
        ]
    )
    await store.finish_messages([])

    done = await store.get_message(owner, completed.id)
    assert done is not None
    assert (done.content, done.status, done.usage, done.finish_reason) == ("Four.", "completed", usage, "stop")
    assert (done.error_code, done.error_detail) == (None, None)
    broke = await store.get_message(owner, failed.id)
    assert broke is not None
    assert (broke.content, broke.status, broke.usage) == ("Fo", MessageStatus.FAILED, None)
    assert (broke.error_code, broke.error_detail) == ("model_unavailable", "The model went away.")


async def test_interrupting_marks_every_streaming_answer_and_nothing_else(backend: Backend) -> None:
    # Global by design (a restart after a crash): the database is shared, so other tests' answers may
    # be counted too. Only this test's answers are asserted one by one.
    owner = fresh_user()
    store = backend.store
    _, _, first = await chat_with_answer(store, owner)
    _, _, second = await chat_with_answer(store, owner)
    _, _, done = await chat_with_answer(store, owner)
    await store.save_checkpoints([Checkpoint(owner, first.id, "half an ans")])
    await store.finish_messages([finished(owner, done.id, "all of it")])

    count = await store.interrupt_streaming("The server stopped.")
    await store.interrupt_streaming("A second restart.")

    assert count >= 2
    for message_id, text in ((first.id, "half an ans"), (second.id, "")):
        read = await store.get_message(owner, message_id)
        assert read is not None
        assert (read.status, read.content) == (MessageStatus.INTERRUPTED, text)
        assert (read.error_code, read.error_detail) == ("interrupted", "The server stopped.")
    kept = await store.get_message(owner, done.id)
    assert kept is not None and (kept.status, kept.error_code) == (MessageStatus.COMPLETED, None)


async def test_the_first_edit_keeps_the_models_text(backend: Backend) -> None:
    owner = fresh_user()
    store = backend.store
    _, _, answered = await chat_with_answer(store, owner)
    await store.finish_messages([finished(owner, answered.id, "The model's words.")])

    first = await store.edit_message(owner, answered.id, "My words.", at(10))
    second = await store.edit_message(owner, answered.id, "My better words.", at(20))

    assert first is not None and second is not None
    assert (first.content, first.original_content, first.edited_at) == ("My words.", "The model's words.", at(10))
    assert (second.content, second.original_content, second.edited_at) == (
        "My better words.",
        "The model's words.",
        at(20),
    )
    assert await store.get_message(owner, answered.id) == second


async def test_an_edit_is_refused_for_streaming_answers_questions_and_strangers(backend: Backend) -> None:
    owner, stranger = fresh_user(), fresh_user()
    store = backend.store
    _, asked, streaming = await chat_with_answer(store, owner)
    _, _, done = await chat_with_answer(store, owner, status=MessageStatus.COMPLETED)

    assert await store.edit_message(owner, streaming.id, "too early", at(1)) is None
    assert await store.edit_message(owner, asked.id, "rewrite my question", at(1)) is None
    assert await store.edit_message(stranger, done.id, "vandalism", at(1)) is None
    assert await store.edit_message(owner, "0" * 32, "nothing there", at(1)) is None

    assert await store.get_message(owner, streaming.id) == streaming
    assert await store.get_message(owner, asked.id) == asked
    read_done = await store.get_message(owner, done.id)
    assert read_done is not None and (read_done.content, read_done.edited_at, read_done.original_content) == (
        "",
        None,
        None,
    )


async def test_feedback_given_again_replaces_the_first_and_keeps_its_creation_time(backend: Backend) -> None:
    owner = fresh_user()
    store = backend.store
    _, _, answered = await chat_with_answer(store, owner, status=MessageStatus.COMPLETED)

    first = await store.set_feedback(feedback(owner, answered.id, "up", seconds=1))
    second = await store.set_feedback(feedback(owner, answered.id, "down", seconds=9))

    assert first == feedback(owner, answered.id, "up", seconds=1)
    assert second is not None
    assert (second.rating, second.reason, second.comment) == ("down", "wrong", "said at 9")
    assert (second.created_at, second.updated_at) == (at(1), at(9))
    read = await store.get_message(owner, answered.id)
    assert read is not None and read.feedback == second


async def test_feedback_is_refused_for_streaming_answers_questions_and_strangers(backend: Backend) -> None:
    owner, stranger = fresh_user(), fresh_user()
    store = backend.store
    _, asked, streaming = await chat_with_answer(store, owner)
    _, _, done = await chat_with_answer(store, owner, status=MessageStatus.COMPLETED)

    assert await store.set_feedback(feedback(owner, streaming.id)) is None
    assert await store.set_feedback(feedback(owner, asked.id)) is None
    assert await store.set_feedback(feedback(stranger, done.id)) is None
    assert await store.set_feedback(feedback(owner, "0" * 32)) is None

    for message_id in (streaming.id, asked.id, done.id):
        read = await store.get_message(owner, message_id)
        assert read is not None and read.feedback is None


async def test_deleting_feedback(backend: Backend) -> None:
    owner, stranger = fresh_user(), fresh_user()
    store = backend.store
    _, asked, answered = await chat_with_answer(store, owner, status=MessageStatus.COMPLETED)
    await store.set_feedback(feedback(owner, answered.id))

    assert await store.delete_feedback(stranger, answered.id) is False
    assert (await store.get_message(owner, answered.id)).feedback is not None  # type: ignore[union-attr]

    assert await store.delete_feedback(owner, answered.id) is True
    assert (await store.get_message(owner, answered.id)).feedback is None  # type: ignore[union-attr]
    # The user's message without feedback: nothing to remove, but not "no such message".
    assert await store.delete_feedback(owner, answered.id) is True
    assert await store.delete_feedback(owner, asked.id) is True
    assert await store.delete_feedback(owner, "0" * 32) is False


async def test_a_question_is_stored_as_the_users(backend: Backend) -> None:
    owner = fresh_user()
    _, asked, answered = await chat_with_answer(backend.store, owner, "Exactly this text, with ünïcödé ✓")

    read = await backend.store.get_message(owner, asked.id)

    assert read is not None
    assert (read.role, read.content, read.status, read.parent_id) == (
        Role.USER,
        "Exactly this text, with ünïcödé ✓",
        MessageStatus.COMPLETED,
        None,
    )
    assert (await backend.store.get_message(owner, answered.id)).parent_id == asked.id  # type: ignore[union-attr]
