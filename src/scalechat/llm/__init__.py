"""Models: one `ChatModel` interface, providers that build clients, wrappers that add behaviour."""

from scalechat.llm.base import ChatModel, ChatRequest, ChatTurn, ModelInfo
from scalechat.llm.events import FilterResults, Finished, ModelEvent, TextDelta, UsageReport

__all__ = [
    "ChatModel",
    "ChatRequest",
    "ChatTurn",
    "FilterResults",
    "Finished",
    "ModelEvent",
    "ModelInfo",
    "TextDelta",
    "UsageReport",
]
