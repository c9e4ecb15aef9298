"""Where prompt-log records go: Cosmos DB, the SQL database, JSON-lines files, or nowhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scalechat.promptlog.sinks.base import PromptLogSink
from scalechat.settings import Settings

if TYPE_CHECKING:
    from scalechat.store.factory import Backend

__all__ = ["PromptLogSink", "open_sink"]


def open_sink(settings: Settings, *, shared: Backend | None = None) -> PromptLogSink | None:
    """The sink the settings name (None for `off`), not yet opened.

    `shared`: the conversation store's backend, whose SQL engine or Cosmos client the sink uses
    when it writes to the same database (see `Backend`). Without it (the CLI), or when the
    backend is another kind, the sink makes and closes its own.
    """
    sql_engine = shared.sql_engine if shared is not None else None
    kind = settings.promptlog_sink
    if kind == "off":
        return None
    if kind == "jsonl":
        from scalechat.promptlog.sinks.jsonl import JsonlSink

        return JsonlSink(settings.promptlog_path)
    if kind == "sql":
        from scalechat.promptlog.sinks.sql import SqlSink

        if sql_engine is not None:
            return SqlSink(sql_engine)
        from scalechat.store.sql.engine import database_credential, engine_for

        credential = database_credential(settings)
        return SqlSink(engine_for(settings, credential), owned=True, credential=credential)
    from scalechat.promptlog.sinks.cosmos import CosmosSink

    return CosmosSink(settings, client=shared.cosmos_client if shared is not None else None)
