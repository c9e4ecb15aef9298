"""`scalechat promptlog export`: records of a time range as JSON lines or Parquet, for analysts.

JSON lines keep each document exactly as stored. Parquet flattens it into typed columns
(one row per model call) that pandas, DuckDB, Spark or Fabric read without a schema of
their own; the prompt stays a list of (role, content) and the whole document rides along
as JSON in `document`, so nothing is lost in the flattening.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Literal

import orjson

from scalechat.promptlog.record import analytics_columns

ExportFormat = Literal["jsonl", "parquet"]

ROW_GROUP = 10_000


def _parquet_schema() -> Any:
    import pyarrow as pa

    turn = pa.struct([("role", pa.string()), ("content", pa.string())])
    return pa.schema(
        [
            ("id", pa.string()),
            ("chat_session_id", pa.string()),
            ("user_id", pa.string()),
            ("user_name", pa.string()),
            ("tenant_id", pa.string()),
            ("created_at", pa.timestamp("us", tz="UTC")),
            ("previous_message_id", pa.string()),
            ("prompt", pa.list_(turn)),
            ("completion", pa.string()),
            ("model", pa.string()),
            ("deployment", pa.string()),
            ("provider", pa.string()),
            ("status", pa.string()),
            ("finish_reason", pa.string()),
            ("error_code", pa.string()),
            ("prompt_tokens", pa.int64()),
            ("completion_tokens", pa.int64()),
            ("total_tokens", pa.int64()),
            ("first_token_ms", pa.float64()),
            ("total_ms", pa.float64()),
            ("max_tokens", pa.int64()),
            ("temperature", pa.float64()),
            ("top_p", pa.float64()),
            ("past_messages", pa.int64()),
            ("content_mode", pa.string()),
            ("schema_version", pa.int64()),
            ("app_version", pa.string()),
            ("document", pa.string()),
        ]
    )


def flatten(document: dict[str, Any]) -> dict[str, Any]:
    """One document as a Parquet row (see `_parquet_schema`)."""
    return {**analytics_columns(document), "document": orjson.dumps(document).decode()}


async def write_jsonl(records: AsyncIterator[dict[str, Any]], out: IO[bytes]) -> int:
    count = 0
    async for record in records:
        out.write(orjson.dumps(record) + b"\n")
        count += 1
    return count


@contextmanager
def written_whole(path: Path) -> Iterator[Path]:
    """A file to write `path` through: created readable by its owner only (it holds what users
    wrote), under a temporary name that becomes `path` only if the block ends without an error,
    so a failed export leaves no half file."""
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    partial.touch(mode=0o600)
    try:
        yield partial
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


async def write_parquet(records: AsyncIterator[dict[str, Any]], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _parquet_schema()
    count = 0
    rows: list[dict[str, Any]] = []
    with written_whole(path) as partial, pq.ParquetWriter(partial, schema, compression="zstd") as writer:

        def flush() -> None:
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
            rows.clear()

        async for record in records:
            rows.append(flatten(record))
            count += 1
            if len(rows) >= ROW_GROUP:
                flush()
        if rows or count == 0:
            flush()
    return count
