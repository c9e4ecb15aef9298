"""The prompt log for analytics (the original app's `chat_log`): one record per model call.

record.py     the document (the original shape plus what analysts need) and its inputs
redaction.py  full | redacted | metadata, applied before a record leaves the process
writer.py     `PromptLog`: off the chat path, batched, retried, spilled to the outbox
outbox.py     the durable local queue used while the sink is down or behind
sinks/        cosmos | sql | jsonl; each also purges, reads and deletes a user's records
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scalechat.promptlog.outbox import Outbox
from scalechat.promptlog.redaction import Redactor, parse_patterns
from scalechat.promptlog.sinks import PromptLogSink, open_sink
from scalechat.promptlog.writer import PromptLog
from scalechat.settings import Settings

if TYPE_CHECKING:
    from scalechat.store.factory import Backend

__all__ = ["PromptLog", "PromptLogSink", "open_prompt_log", "open_sink"]


def open_prompt_log(settings: Settings, *, shared: Backend | None = None) -> PromptLog | None:
    """The writer for the configured sink, not yet started; None when logging is off.
    Raises ValueError for an invalid PROMPTLOG_REDACT_PATTERNS (the settings check it first)."""
    sink = open_sink(settings, shared=shared)
    if sink is None:
        return None
    config = settings.promptlog
    return PromptLog(
        sink,
        Outbox(settings.promptlog_outbox_path),
        Redactor(config.content, parse_patterns(config.redact_patterns)),
        queue_size=config.queue_size,
        batch_size=config.batch_size,
        retention_days=config.retention_days,
    )
