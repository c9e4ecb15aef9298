"""Operator commands, run beside a live server: a user's data exported or erased
(data-subject requests), and the prompt log exported for analysts.

They open the same backends the server does, from the same settings, so they act on the
same data wherever it lives (SQLite, PostgreSQL, Cosmos DB, JSON-lines files).
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from scalechat.promptlog.export import ExportFormat, write_jsonl, write_parquet, written_whole
from scalechat.promptlog.sinks import open_sink
from scalechat.promptlog.sinks.base import PromptLogSink
from scalechat.services.user_data import UserDataService
from scalechat.settings import Settings
from scalechat.store.factory import open_backend


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")


@asynccontextmanager
async def _prompt_log(settings: Settings) -> AsyncIterator[PromptLogSink | None]:
    sink = open_sink(settings)
    if sink is None:
        yield None
        return
    try:
        await sink.open()
        yield sink
    finally:
        await sink.aclose()


@asynccontextmanager
async def _user_data(settings: Settings) -> AsyncIterator[UserDataService]:
    backend = await open_backend(settings)
    try:
        async with _prompt_log(settings) as sink:
            yield UserDataService(backend.store, backend.identity, sink)
    finally:
        await backend.store.aclose()


async def export_user(settings: Settings, user_id: str, output: Path | None) -> int:
    async with _user_data(settings) as service:
        document = await service.export(user_id)
    data = orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        with written_whole(output) as partial:
            partial.write_bytes(data)
    found = document["user"] is not None or document["conversations"] or document["presets"] or document["prompt_log"]
    _say(
        f"user {user_id}: {len(document['conversations'])} conversations, {len(document['presets'])} presets, "
        f"{len(document['prompt_log'])} prompt-log records" + ("" if found else " (nothing is kept for this id)")
    )
    return 0


async def erase_user(settings: Settings, user_id: str) -> int:
    async with _user_data(settings) as service:
        erased = await service.erase(user_id)
    _say(
        f"user {user_id}: removed {erased.conversation_items} conversation items, "
        f"{erased.prompt_log_records} prompt-log records"
        + (", the profile and all sessions" if erased.user else "; no profile was stored")
    )
    if not erased.anything:
        _say("nothing was stored for this user id (check the id: it is the Entra object id, `oid`)")
    return 0


async def export_prompt_log(
    settings: Settings, *, since: datetime, until: datetime | None, fmt: ExportFormat, output: Path | None
) -> int:
    if fmt == "parquet" and output is None:
        _say("scalechat: --format parquet needs --output FILE")
        return 2
    async with _prompt_log(settings) as sink:
        if sink is None:
            _say("the prompt log is off (PROMPTLOG_SINK=off): there is nothing to export")
            return 1
        records: AsyncIterator[dict[str, Any]] = sink.records(since, until)
        if fmt == "parquet" and output is not None:
            count = await write_parquet(records, output)
        elif output is None:
            count = await write_jsonl(records, sys.stdout.buffer)
        else:
            with written_whole(output) as partial, partial.open("wb") as out:
                count = await write_jsonl(records, out)
    _say(f"exported {count} prompt-log records from the {sink.name} sink")
    return 0
