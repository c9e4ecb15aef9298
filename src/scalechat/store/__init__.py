"""Storage: the `ConversationStore` protocol and its backends. Only this package speaks SQL."""

from scalechat.store.base import ConversationPage, ConversationStore, Cursor

__all__ = ["ConversationPage", "ConversationStore", "Cursor"]
