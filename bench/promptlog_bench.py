"""Prompt-log benchmark: records per second into each sink, and what logging adds to chat latency.

    .venv/bin/python bench/promptlog_bench.py                     # throughput, every sink
    .venv/bin/python bench/promptlog_bench.py --sinks jsonl,sqlite --records 5000
    .venv/bin/python bench/promptlog_bench.py --latency           # + stream_bench at 100 streams, log off vs on

Throughput: one `PromptLog` (the real writer: redaction, batching, the sink) is handed `--records`
records as fast as the event loop allows, and the clock stops when the last one is in the sink.
Each record carries a 5-turn prompt of about 3 KB, as a chat with some history sends. PostgreSQL is
a throwaway server (tests/postgres_server.py); Cosmos DB is the test server (tests/cosmos_server.py),
which is far slower than the real service: its number says little about Azure.

Latency: bench/stream_bench.py at `--level` concurrent streams (default 100), run once per
PROMPTLOG_SINK value (off first), and the through-scalechat TTFT and total p50/p99 compared.
Results go to bench/results/promptlog-<timestamp>.json, with a table on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scalechat.domain import Usage  # noqa: E402
from scalechat.promptlog.outbox import Outbox  # noqa: E402
from scalechat.promptlog.record import LoggedTurn, PromptContext, PromptLogEntry  # noqa: E402
from scalechat.promptlog.redaction import Redactor  # noqa: E402
from scalechat.promptlog.sinks.base import PromptLogSink  # noqa: E402
from scalechat.promptlog.writer import PromptLog  # noqa: E402

RESULTS_DIR = REPO / "bench" / "results"
ALL_SINKS = ("jsonl", "sqlite", "postgresql", "cosmos")
TURN = "Could you explain how the quarterly numbers for the Contoso account were computed? " * 6  # ~500 chars


def entry(number: int) -> PromptLogEntry:
    history = tuple(LoggedTurn("user" if i % 2 == 0 else "assistant", TURN) for i in range(5))
    turns = (LoggedTurn("system", "You are a helpful assistant."), *history)
    context = PromptContext(
        chat_session_id=f"{number % 500:032x}",
        question_id=f"{number:032x}",
        user_id=f"user-{number % 100}",
        user_name="Bench User",
        tenant_id="tenant",
        prompt=turns,
        max_tokens=800,
        temperature=0.7,
        top_p=0.95,
        past_messages=10,
        deployment="gpt-4o",
        provider="azure",
        model="gpt-4o",
    )
    return PromptLogEntry(
        message_id=f"{number:031x}a",
        context=context,
        answer=TURN,
        status="completed",
        finish_reason="stop",
        error_code=None,
        usage=Usage(prompt_tokens=700, completion_tokens=120, total_tokens=820),
        started_at=datetime.now(UTC),
        first_token_ms=100.0,
        total_ms=2000.0,
    )


@contextmanager
def opened_sink(name: str, work: Path) -> Iterator[PromptLogSink]:
    """The sink, on a fresh server or folder for this run."""
    with ExitStack() as stack:
        if name == "jsonl":
            from scalechat.promptlog.sinks.jsonl import JsonlSink

            yield JsonlSink(work / "jsonl")
            return
        if name in ("sqlite", "postgresql"):
            from scalechat.promptlog.sinks.sql import SqlSink
            from scalechat.store.sql.engine import create_engine
            from scalechat.store.sql.migrate import upgrade

            if name == "sqlite":
                url = f"sqlite+aiosqlite:///{work / 'log.db'}"
                upgrade(url)
            else:
                from tests.postgres_server import running_postgres

                postgres = stack.enter_context(running_postgres())
                url = postgres.url(postgres.fresh_database())
            yield SqlSink(create_engine(url), owned=True)
            return
        from tests.cosmos_server import cosmos_settings, fresh_database_name, running_cosmos

        from scalechat.promptlog.sinks.cosmos import CosmosSink

        (work / "cosmos").mkdir()
        server = stack.enter_context(running_cosmos(work / "cosmos"))
        yield CosmosSink(cosmos_settings(server, fresh_database_name("bench")))


async def throughput(sink: PromptLogSink, records: int, work: Path, batch_size: int) -> dict[str, Any]:
    log = PromptLog(sink, Outbox(work / "outbox"), Redactor("redacted"), queue_size=records + 1, batch_size=batch_size)
    await log.start()
    await sink.open()  # connect and create containers before the clock starts
    entries = [entry(n) for n in range(records)]
    began = time.perf_counter()
    for number, item in enumerate(entries):
        log.record(item)
        if number % 1000 == 999:
            await asyncio.sleep(0)  # let the writer interleave, as chats would
    while log.waiting:  # noqa: ASYNC110 (the writer offers no event; polling costs little here)
        await asyncio.sleep(0.005)
    elapsed = time.perf_counter() - began
    stats = log.stats
    await log.close(30)
    return {
        "records": records,
        "seconds": round(elapsed, 3),
        "records_per_s": round(records / elapsed),
        "batches": stats.batches,
        "spilled": stats.spilled,
        "sink_errors": stats.sink_errors,
    }


def run_stream_bench(sink: str, level: int, work: Path) -> dict[str, Any]:
    output = work / f"stream-{sink}.json"
    env = {**os.environ, "PROMPTLOG_SINK": sink, "PROMPTLOG_PATH": str(work / "jsonl-latency")}
    command = [sys.executable, str(REPO / "bench" / "stream_bench.py"), "--levels", str(level)]
    command += ["--open-streams", "0", "--json", str(output)]
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    level_result = json.loads(output.read_text())["levels"][0]
    through = level_result["through_scalechat"]
    return {
        "ttft_ms": {k: round(through["ttft_ms"][k], 1) for k in ("p50", "p99")},
        "total_ms": {k: round(through["total_ms"][k], 1) for k in ("p50", "p99")},
        "added_ttft_ms": {k: round(level_result["added_ttft_ms"][k], 1) for k in ("p50", "p99")},
        "errors": through["error_count"],
        "server_cpu_ms_per_stream": round(through["server_cpu_ms_per_stream"], 1),
    }


def latency(sinks: list[str], level: int, rounds: int, work: Path) -> dict[str, Any]:
    """Every sink once per round, interleaved (off, sql, jsonl, off, ...), so drift in the machine's
    load hits them alike. The spread of one sink's rounds is the noise its difference is held to."""
    runs: dict[str, list[dict[str, Any]]] = {sink: [] for sink in sinks}
    for round_number in range(1, rounds + 1):
        for sink in sinks:
            measured = run_stream_bench(sink, level, work)
            runs[sink].append(measured)
            print(
                f"round {round_number} log {sink:<6} at {level} streams: TTFT p50 {measured['ttft_ms']['p50']} "
                f"p99 {measured['ttft_ms']['p99']} ms, total p50 {measured['total_ms']['p50']} "
                f"p99 {measured['total_ms']['p99']} ms, errors {measured['errors']}"
            )
    summary: dict[str, Any] = {"level": level, "rounds": rounds, "runs": runs}
    print(f"\nadded TTFT through scalechat at {level} streams, ms (median of {rounds} rounds [min-max]):")
    for sink in sinks:
        cells = []
        for quantile in ("p50", "p99"):
            values = sorted(run["added_ttft_ms"][quantile] for run in runs[sink])
            median = statistics.median(values)
            summary.setdefault(sink, {})[f"added_ttft_{quantile}_ms"] = {
                "median": median,
                "min": values[0],
                "max": values[-1],
            }
            cells.append(f"{quantile} {median:.1f} [{values[0]:.1f}-{values[-1]:.1f}]")
        print(f"  log {sink:<6} " + "   ".join(cells))
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sinks", default=",".join(ALL_SINKS), help="comma-separated, of " + ", ".join(ALL_SINKS))
    parser.add_argument("--records", type=int, default=20_000, help="records per sink (Cosmos: --cosmos-records)")
    parser.add_argument("--cosmos-records", type=int, default=3_000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--latency", action="store_true", help="also run stream_bench with the log off and on")
    parser.add_argument("--latency-sinks", default="off,sql,jsonl")
    parser.add_argument("--level", type=int, default=100)
    parser.add_argument(
        "--rounds", type=int, default=3, help="latency: runs of every sink, interleaved, to see the noise"
    )
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    results: dict[str, Any] = {"benchmark": "promptlog", "started_at": datetime.now(UTC).isoformat()}
    results["throughput"] = {}
    with tempfile.TemporaryDirectory(prefix="promptlog-bench-") as tmp:
        for name in [s for s in args.sinks.split(",") if s]:
            work = Path(tmp) / name
            work.mkdir()
            records = args.cosmos_records if name == "cosmos" else args.records
            with opened_sink(name, work) as sink:
                result = asyncio.run(throughput(sink, records, work, args.batch_size))
            results["throughput"][name] = result
            print(f"{name:<11} {result['records_per_s']:>8,} records/s  ({records:,} in {result['seconds']} s)")
        if args.latency:
            results["latency"] = latency(args.latency_sinks.split(","), args.level, args.rounds, Path(tmp))
    output = args.json or RESULTS_DIR / f"promptlog-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"results: {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
