"""Changes the owner makes to stored answers: edits by hand and feedback.

Only a finished answer takes either. The store decides that in the same statement
as the write; when it refuses, the message is read once more only to say why.
"""

from __future__ import annotations

from scalechat.domain import Feedback, Message, Principal, Rating, Role, now
from scalechat.errors import Conflict, InvalidRequest, NotFound
from scalechat.services.generations import GenerationManager
from scalechat.services.text import check_content, check_text
from scalechat.settings import Settings
from scalechat.store.base import ConversationStore


class MessageService:
    def __init__(self, store: ConversationStore, generations: GenerationManager, settings: Settings) -> None:
        self._generations = generations
        self._store = store
        self._settings = settings

    async def edit(self, principal: Principal, message_id: str, *, content: str) -> Message:
        """Replace an answer's text; later questions on its branch are asked with the new text."""
        check_content("answer", content, self._settings.max_content_chars)
        await self._generations.settled(principal.user_id, message_id)
        edited = await self._store.edit_message(principal.user_id, message_id, content, now())
        if edited is None:
            raise await self._refusal(
                principal, message_id, "Only an answer can be edited; to change a question, send it anew as a branch."
            )
        return edited

    async def set_feedback(
        self, principal: Principal, message_id: str, *, rating: Rating, reason: str | None, comment: str | None
    ) -> Feedback:
        """Give feedback on an answer; giving it again replaces it."""
        check_text("reason", reason)
        check_text("comment", comment)
        stamp = now()
        feedback = Feedback(
            message_id=message_id,
            user_id=principal.user_id,
            rating=rating,
            reason=_blank_as_none(reason),
            comment=_blank_as_none(comment),
            created_at=stamp,
            updated_at=stamp,
        )
        await self._generations.settled(principal.user_id, message_id)
        stored = await self._store.set_feedback(feedback)
        if stored is None:
            raise await self._refusal(principal, message_id, "Only an answer takes feedback.")
        return stored

    async def delete_feedback(self, principal: Principal, message_id: str) -> None:
        """Withdraw feedback; done also when there was none."""
        if not await self._store.delete_feedback(principal.user_id, message_id):
            raise NotFound("No such message.", code="message_not_found")

    async def _refusal(self, principal: Principal, message_id: str, not_an_answer: str) -> Exception:
        """Why the store refused to change a message: it only changes the user's finished answers."""
        message = await self._store.get_message(principal.user_id, message_id)
        if message is None:
            return NotFound("No such message.", code="message_not_found")
        if message.role is not Role.ASSISTANT:
            return InvalidRequest(not_an_answer, code="not_an_answer")
        # Streaming when the write was tried (it may have ended since: then trying again works).
        return Conflict(
            "The answer is still being written; wait for it to end or stop it.",
            code="answer_in_progress",
            message_id=message.id,
        )


def _blank_as_none(text: str | None) -> str | None:
    return text if text is not None and text.strip() else None
