"""Storage at scale: list, open and search a user's conversations through the real
`SqlConversationStore`, on SQLite and on PostgreSQL, with 100,000 conversations and
1,000,000 messages seeded into a throwaway database.

    .venv/bin/python bench/store_bench.py                 # full size, both backends, 1, 8 and 32 concurrent
    .venv/bin/python bench/store_bench.py --quick         # 10,000 conversations, fewer samples
    .venv/bin/python bench/store_bench.py --backends sqlite --conversations 20000 --users 200
    .venv/bin/python bench/store_bench.py --json /tmp/r.json --concurrency 1,16,32

The schema is the migrated one (Alembic `upgrade`), so the real indexes are measured. Seeding is
SQL-side: `generate_series` on PostgreSQL, a recursive CTE on SQLite, with message text drawn from
a small pool of generated sentences. See bench/README.md for what is measured and how to read it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.postgres_server import running_postgres  # noqa: E402
from tests.support import ServerProcess  # noqa: E402

from bench.stream_bench import code_state, percentile  # noqa: E402
from scalechat.store.base import Cursor  # noqa: E402
from scalechat.store.sql.migrate import upgrade  # noqa: E402
from scalechat.store.sql.store import SqlConversationStore, create_engine  # noqa: E402
from scalechat.store.sql.tables import conversations  # noqa: E402

RESULTS_DIR = REPO / "bench" / "results"

GOAL_P99_MS = 20.0  # the goal for listing and opening; search is reported only
GOAL_OPERATIONS = ("list first page", "list later page", "open conversation")
PAGE_SIZE = 20  # the API's default `limit`

# Fixed so that two runs seed the same data: every time is an offset from this instant.
EPOCH = int(datetime(2025, 11, 26, tzinfo=UTC).timestamp())
YEAR_S = 365 * 86_400
MESSAGE_GAP_S = 30
HEAVY_USER = "user-heavy"

# Search terms, chosen by how often the corpus holds them (lower-case, as users type them):
COMMON_WORD = "report"  # in about half of the answers: the first page fills after a few conversations
RARE_WORD = "kubernetes"  # in about 9% of conversations: less than a page per user, so the whole list is scanned
MISSING_WORD = "xylophonist"  # nowhere: the whole list and every message are scanned
RARE_SENTENCE_SHARE = 0.001

VOCABULARY = (
    "the a an and or but if then when while because so that this these those it its we you they our your "
    "report budget team project customer contract invoice meeting agenda summary draft review policy "
    "security access account password network server database backup restore deploy release version "
    "feature request issue ticket priority deadline schedule quarter revenue forecast plan strategy "
    "market sales product service support training onboarding hiring manager employee office travel "
    "expense approval legal compliance audit risk vendor supplier order shipment inventory warehouse "
    "price discount quote proposal email letter translate explain write rewrite shorter longer clearer "
    "table chart list steps example code function error message log query python excel slide deck "
    "please could would should can will need want help check compare update create delete send share "
    "about for from with without into over under after before during between across within each every "
    "new old first last next previous final current quick simple detailed formal friendly short long"
)
WORDS = VOCABULARY.split()


# -- the data ------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """How much data, and whose. One heavy user owns every `period`-th conversation; the rest are
    dealt round-robin to the typical users, so every user's history spans the whole year."""

    conversations: int
    messages_per_conversation: int
    users: int
    heavy_conversations: int
    answer_sentences: int

    @property
    def period(self) -> int:
        return self.conversations // self.heavy_conversations if self.heavy_conversations else 0

    @property
    def messages(self) -> int:
        return self.conversations * self.messages_per_conversation

    @property
    def heavy_count(self) -> int:
        return -(-self.conversations // self.period) if self.period else 0

    @property
    def step_s(self) -> int:
        return max(1, YEAR_S // self.conversations)


@dataclass(frozen=True)
class Corpus:
    """Sentences for questions and titles, paragraphs (several sentences) for answers."""

    sentences: list[str]
    paragraphs: list[str]


def make_corpus(answer_sentences: int, size: int = 5000, seed: int = 5) -> Corpus:
    rng = random.Random(seed)
    sentences = []
    for _ in range(size):
        words = rng.choices(WORDS, k=rng.randint(9, 18))
        if rng.random() < RARE_SENTENCE_SHARE:
            words[rng.randrange(len(words))] = RARE_WORD
        sentence = " ".join(words)
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
    paragraphs = [" ".join(rng.choices(sentences, k=answer_sentences)) for _ in range(size)]
    return Corpus(sentences, paragraphs)


class Sql:
    """The seeding expressions of one dialect. Both dialects compute the same rows: ids, owners,
    times and text are pure functions of the row number, so no row is sent from Python."""

    def __init__(self, dialect: str, shape: Shape) -> None:
        self.dialect = dialect
        self.shape = shape

    def hex_id(self, n: str, salt: int) -> str:
        # 32 hex digits like a uuid4 hex: a scrambled 8-digit prefix (multiplicative hashing is a
        # bijection mod 2^32) spreads keys over the index as random ids do; the suffix keeps them unique.
        scrambled = f"(({n}) * 2654435761 + {salt}) % 4294967296"
        unique = f"(({n}) + {salt} * 1099511627776)"
        if self.dialect == "sqlite":
            return f"printf('%08x%024x', {scrambled}, {unique})"
        return f"lpad(to_hex({scrambled}), 8, '0') || lpad(to_hex({unique}), 24, '0')"

    def owner(self, i: str) -> str:
        period, users = self.shape.period, self.shape.users
        rank = f"((({i}) / {period}) * {period - 1} + ({i}) % {period} - 1)" if period else f"({i})"
        number = f"{rank} % {users}"
        typical = (
            f"printf('user-%05d', {number})"
            if self.dialect == "sqlite"
            else f"'user-' || lpad(({number})::text, 5, '0')"
        )
        return f"CASE WHEN ({i}) % {period} = 0 THEN '{HEAVY_USER}' ELSE {typical} END" if period else typical

    def time(self, seconds: str) -> str:
        if self.dialect == "sqlite":  # SQLAlchemy's own text format for SQLite datetimes
            return f"strftime('%Y-%m-%d %H:%M:%S', {EPOCH} + {seconds}, 'unixepoch') || '.000000'"
        return f"to_timestamp({EPOCH} + {seconds})"

    def pick(self, n: str, multiplier: int, size: int) -> str:
        return f"((({n}) * {multiplier}) % {size})"

    def json(self, value: dict[str, Any]) -> str:
        literal = "'" + json.dumps(value) + "'"
        return literal if self.dialect == "sqlite" else literal + "::json"

    def series(self, count: int) -> str:
        """A `seq(n)` source of 0 .. count-1."""
        if self.dialect == "sqlite":
            return f"WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < {count - 1}) "
        return ""

    def from_series(self, count: int) -> str:
        return "FROM seq" if self.dialect == "sqlite" else f"FROM generate_series(0::bigint, {count - 1}) AS seq(n)"

    def insert_conversations(self, corpus: Corpus) -> str:
        s, m = self.shape, self.shape.messages_per_conversation
        last_message = f"n * {m} + {m - 1}"
        title = (
            f"(SELECT substr(text, 1, 60) FROM seed_sentences WHERE k = {self.pick('n', 40503, len(corpus.sentences))})"
        )
        return (
            "INSERT INTO conversations (id, user_id, title, system_prompt, parameters, model, "
            "current_message_id, created_at, updated_at) "
            f"{self.series(s.conversations)}"
            f"SELECT {self.hex_id('n', 1)}, {self.owner('n')}, {title}, 'You are a helpful assistant.', "
            f"{self.json({'max_tokens': 1024, 'temperature': 0.7, 'top_p': 0.95, 'past_messages': 10})}, "
            f"'gpt-4o', {self.hex_id(last_message, 2)}, {self.time(f'n * {s.step_s}')}, "
            f"{self.time(f'n * {s.step_s} + {(m - 1) * MESSAGE_GAP_S}')} "
            f"{self.from_series(s.conversations)}"
        )

    def insert_messages(self, corpus: Corpus) -> str:
        s, m = self.shape, self.shape.messages_per_conversation
        conversation = f"(n / {m})"
        question = f"(SELECT text FROM seed_sentences WHERE k = {self.pick('n', 2654435761, len(corpus.sentences))})"
        answer = f"(SELECT text FROM seed_paragraphs WHERE k = {self.pick('n', 2246822519, len(corpus.paragraphs))})"
        usage = self.json({"prompt_tokens": 420, "completion_tokens": 180, "total_tokens": 600})
        is_question = f"n % {m} % 2 = 0"
        return (
            "INSERT INTO messages (id, conversation_id, user_id, parent_id, role, content, status, model, "
            "usage, finish_reason, created_at) "
            f"{self.series(s.messages)}"
            f"SELECT {self.hex_id('n', 2)}, {self.hex_id(conversation, 1)}, {self.owner(conversation)}, "
            f"CASE WHEN n % {m} = 0 THEN NULL ELSE {self.hex_id('n - 1', 2)} END, "
            f"CASE WHEN {is_question} THEN 'user' ELSE 'assistant' END, "
            f"CASE WHEN {is_question} THEN {question} ELSE {answer} END, 'completed', "
            f"CASE WHEN {is_question} THEN NULL ELSE 'gpt-4o' END, "
            f"CASE WHEN {is_question} THEN NULL ELSE {usage} END, "
            f"CASE WHEN {is_question} THEN NULL ELSE 'stop' END, "
            f"{self.time(f'{conversation} * {s.step_s} + n % {m} * {MESSAGE_GAP_S}')} "
            f"{self.from_series(s.messages)}"
        )


SEED_TABLES = (
    "CREATE TABLE seed_sentences (k INTEGER PRIMARY KEY, text TEXT NOT NULL)",
    "CREATE TABLE seed_paragraphs (k INTEGER PRIMARY KEY, text TEXT NOT NULL)",
)
DROP_SEED_TABLES = ("DROP TABLE seed_sentences", "DROP TABLE seed_paragraphs")


def seed_sqlite(path: Path, shape: Shape, corpus: Corpus) -> dict[str, float]:
    """Migrate, then fill with two INSERT ... SELECT over a recursive CTE. Returns timings (s)."""
    started = time.perf_counter()
    upgrade(f"sqlite+aiosqlite:///{path}")
    migrated = time.perf_counter()
    db = sqlite3.connect(path, isolation_level=None)
    try:
        # Seeding only: the benchmark then opens the file with the app's own settings (WAL, NORMAL).
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA cache_size=-1000000")
        db.execute("BEGIN")
        for statement in SEED_TABLES:
            db.execute(statement)
        db.executemany("INSERT INTO seed_sentences VALUES (?, ?)", enumerate(corpus.sentences))
        db.executemany("INSERT INTO seed_paragraphs VALUES (?, ?)", enumerate(corpus.paragraphs))
        sql = Sql("sqlite", shape)
        db.execute(sql.insert_conversations(corpus))
        seeded_conversations = time.perf_counter()
        db.execute(sql.insert_messages(corpus))
        for statement in DROP_SEED_TABLES:
            db.execute(statement)
        db.execute("COMMIT")
        seeded = time.perf_counter()
        db.execute("PRAGMA journal_mode=WAL")
    finally:
        db.close()
    return {
        "migrate_s": round(migrated - started, 2),
        "conversations_s": round(seeded_conversations - migrated, 2),
        "messages_s": round(seeded - seeded_conversations, 2),
        "total_s": round(seeded - started, 2),
        "size_mb": round(path.stat().st_size / 1e6, 1),
    }


async def seed_postgres(url: str, shape: Shape, corpus: Corpus) -> dict[str, float]:
    """Migrate, then fill with two INSERT ... SELECT generate_series, then VACUUM ANALYZE
    (what autovacuum does within a minute of a bulk load). Returns timings (s)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    started = time.perf_counter()
    await asyncio.to_thread(upgrade, url)  # Alembic runs its own event loop
    migrated = time.perf_counter()
    engine = create_async_engine(url)
    try:
        sql = Sql("postgresql", shape)
        async with engine.begin() as conn:
            for statement in SEED_TABLES:
                await conn.execute(text(statement))
            for table, rows in (("seed_sentences", corpus.sentences), ("seed_paragraphs", corpus.paragraphs)):
                await conn.execute(
                    text(f"INSERT INTO {table} VALUES (:k, :text)"),
                    [{"k": k, "text": t} for k, t in enumerate(rows)],
                )
            await conn.execute(text(sql.insert_conversations(corpus)))
            seeded_conversations = time.perf_counter()
            await conn.execute(text(sql.insert_messages(corpus)))
            for statement in DROP_SEED_TABLES:
                await conn.execute(text(statement))
        seeded = time.perf_counter()
        async with engine.connect() as conn:
            autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("VACUUM ANALYZE"))
            analyzed = time.perf_counter()
            size = (await autocommit.execute(text("SELECT pg_database_size(current_database())"))).scalar_one()
    finally:
        await engine.dispose()
    return {
        "migrate_s": round(migrated - started, 2),
        "conversations_s": round(seeded_conversations - migrated, 2),
        "messages_s": round(seeded - seeded_conversations, 2),
        "vacuum_analyze_s": round(analyzed - seeded, 2),
        "total_s": round(analyzed - started, 2),
        "size_mb": round(size / 1e6, 1),
    }


# -- measuring -----------------------------------------------------------------


@dataclass(frozen=True)
class Histories:
    """Each user's conversations, newest first, as (updated_at, id): read once, before timing,
    so that every operation can pick a real user, a real conversation and a real cursor."""

    by_user: dict[str, list[tuple[datetime, str]]]

    @classmethod
    async def load(cls, engine: AsyncEngine) -> Histories:
        by_user: dict[str, list[tuple[datetime, str]]] = {}
        statement = select(conversations.c.user_id, conversations.c.updated_at, conversations.c.id)
        async with engine.connect() as conn:
            for user_id, updated_at, conversation_id in await conn.execute(statement):
                by_user.setdefault(user_id, []).append((updated_at, conversation_id))
        for history in by_user.values():
            history.sort(reverse=True)
        return cls(by_user)

    def typical_users(self) -> list[str]:
        return sorted(user for user in self.by_user if user != HEAVY_USER)


Operation = Callable[[random.Random], Awaitable[object]]


def operations(store: SqlConversationStore, users: list[str], histories: Histories) -> dict[str, Operation]:
    """The timed calls, each for a random user of `users` (one per call)."""

    def history(rng: random.Random) -> tuple[str, list[tuple[datetime, str]]]:
        user = rng.choice(users)
        return user, histories.by_user[user]

    async def list_first(rng: random.Random) -> object:
        user, _ = history(rng)
        return await store.list_conversations(user, limit=PAGE_SIZE, cursor=None, query=None)

    async def list_later(rng: random.Random) -> object:
        # A cursor at a random item past the first page, as the API's next-page cursor carries it.
        user, items = history(rng)
        updated_at, conversation_id = items[rng.randrange(min(PAGE_SIZE, len(items) - 1), len(items))]
        return await store.list_conversations(
            user, limit=PAGE_SIZE, cursor=Cursor(updated_at, conversation_id), query=None
        )

    async def open_one(rng: random.Random) -> object:
        user, items = history(rng)
        opened = await store.get_conversation_with_messages(user, rng.choice(items)[1])
        assert opened is not None
        return opened

    def search(word: str) -> Operation:
        async def run(rng: random.Random) -> object:
            user, _ = history(rng)
            return await store.list_conversations(user, limit=PAGE_SIZE, cursor=None, query=word)

        return run

    return {
        "list first page": list_first,
        "list later page": list_later,
        "open conversation": open_one,
        f"search hit, common ({COMMON_WORD})": search(COMMON_WORD),
        f"search hit, rare ({RARE_WORD})": search(RARE_WORD),
        f"search miss ({MISSING_WORD})": search(MISSING_WORD),
    }


async def timed(operation: Operation, samples: int, concurrency: int, seed: int) -> dict[str, Any]:
    """`samples` calls spread over `concurrency` workers; each call's latency includes any wait
    for a pooled connection, as a request's would."""
    latencies: list[float] = []
    remaining = samples

    async def worker(index: int) -> None:
        nonlocal remaining
        rng = random.Random(seed * 1000 + index)
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            await operation(rng)
            latencies.append(time.perf_counter() - started)

    # Warm-up at the same concurrency: `concurrency` pooled connections open, statements cached.
    warm = random.Random(seed)
    for _ in range(3):
        await asyncio.gather(*(operation(warm) for _ in range(concurrency)))
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker(index) for index in range(concurrency)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    ordered = sorted(value * 1000 for value in latencies)

    def at(q: float) -> float:
        value = percentile(ordered, q)
        assert value is not None
        return round(value, 2)

    return {
        "samples": len(ordered),
        "p50_ms": at(0.50),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "max_ms": round(ordered[-1], 2),
        "ops_per_s": round(len(ordered) / wall, 1),
        "bench_cpu_ms_per_op": round(cpu * 1000 / len(ordered), 3),
    }


def samples_for(name: str, samples: int, heavy: bool) -> int:
    """Searches scan a user's messages: fewer samples, fewer still for the heavy user."""
    if not name.startswith("search"):
        return samples
    return max(20, samples // (20 if heavy else 5))


async def measure(url: str, levels: list[int], samples: int, http: bool, say: Callable[[str], None]) -> dict[str, Any]:
    """The store's numbers under "results", then (with `http`) the API's under "http"."""
    engine = create_engine(url)  # the app's own engine settings (pool, SQLite pragmas)
    store = SqlConversationStore(engine)
    try:
        histories = await Histories.load(engine)
        groups = {"typical user": histories.typical_users()}
        if HEAVY_USER in histories.by_user:
            groups["heavy user"] = [HEAVY_USER]
        results: dict[str, Any] = {}
        for group, users in groups.items():
            for level in levels:
                for name, operation in operations(store, users, histories).items():
                    count = samples_for(name, samples, group == "heavy user")
                    numbers = await timed(operation, count, level, seed=level)
                    results.setdefault(group, {}).setdefault(str(level), {})[name] = numbers
                    say(
                        f"  {group:12} x{level:<3} {name:34} p50 {numbers['p50_ms']:7.2f}  p95 {numbers['p95_ms']:7.2f}"
                        f"  p99 {numbers['p99_ms']:7.2f} ms  ({numbers['samples']}, {numbers['ops_per_s']:.0f}/s)"
                    )
    finally:
        await store.aclose()
    outcome: dict[str, Any] = {"results": results}
    if http:
        outcome["http"] = await measure_http(url, histories, levels, samples, say)
    return outcome


def http_operations(client: httpx.AsyncClient, items: list[tuple[datetime, str]]) -> dict[str, Operation]:
    """List and open through the API, for the one user the server signs in (local mode)."""

    async def get(path: str) -> object:
        response = await client.get(path)
        response.raise_for_status()
        return response

    async def list_first(rng: random.Random) -> object:
        return await get(f"/api/conversations?limit={PAGE_SIZE}")

    async def list_later(rng: random.Random) -> object:
        updated_at, conversation_id = items[rng.randrange(min(PAGE_SIZE, len(items) - 1), len(items))]
        return await get(f"/api/conversations?limit={PAGE_SIZE}&cursor={Cursor(updated_at, conversation_id).encode()}")

    async def open_one(rng: random.Random) -> object:
        return await get(f"/api/conversations/{rng.choice(items)[1]}")

    return {"list first page": list_first, "list later page": list_later, "open conversation": open_one}


async def measure_http(
    url: str, histories: Histories, levels: list[int], samples: int, say: Callable[[str], None]
) -> dict[str, Any]:
    """The same list and open calls through a real `scalechat serve` on the seeded database: the API's
    own cost (routing, auth, validation, JSON) on top of the store's. Local sign-in mode serves one
    user, so one server per user group: a typical user, then the heavy user."""
    results: dict[str, Any] = {}
    groups = {"typical user": histories.typical_users()[7], "heavy user": HEAVY_USER}
    for group, user in groups.items():
        if user not in histories.by_user:
            continue
        scratch = Path(tempfile.mkdtemp(prefix="store-bench-http-"))
        server = ServerProcess(scratch, {"DATABASE_URL": url, "LOCAL_USER_ID": user, "LOG_LEVEL": "WARNING"})
        try:
            await asyncio.to_thread(server.start)
            for level in levels:
                limits = httpx.Limits(max_connections=level, max_keepalive_connections=level)
                async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=60) as client:
                    for name, operation in http_operations(client, histories.by_user[user]).items():
                        numbers = await timed(operation, samples, level, seed=level)
                        results.setdefault(group, {}).setdefault(str(level), {})[name] = numbers
                        say(
                            f"  HTTP {group:12} x{level:<3} {name:26} p50 {numbers['p50_ms']:7.2f}  "
                            f"p95 {numbers['p95_ms']:7.2f}  p99 {numbers['p99_ms']:7.2f} ms  "
                            f"({numbers['ops_per_s']:.0f}/s)"
                        )
        finally:
            await asyncio.to_thread(server.stop)
            shutil.rmtree(scratch, ignore_errors=True)
    return results


# -- backends --------------------------------------------------------------------


@contextmanager
def postgres_database(name: str) -> Iterator[str]:
    """A throwaway PostgreSQL server (tests/postgres_server.py) with an empty database: its URL."""
    with running_postgres() as server:
        server.create_database(name)
        yield server.url(name)


async def run_backend(
    backend: str,
    shape: Shape,
    corpus: Corpus,
    levels: list[int],
    samples: int,
    say: Callable[[str], None],
    http: bool,
    seeded_url: str | None,
) -> dict[str, Any]:
    if seeded_url:  # a database this script seeded before, perhaps with an index changed by hand since
        say(f"{backend}: measuring the already seeded {seeded_url.split('@')[-1]}")
        return {"seeding": None, **await measure(seeded_url, levels, samples, http, say)}
    if backend == "sqlite":
        scratch = Path(tempfile.mkdtemp(prefix="store-bench-"))
        try:
            path = scratch / "scalechat.db"
            seeding = await asyncio.to_thread(seed_sqlite, path, shape, corpus)
            say(f"sqlite: seeded in {seeding['total_s']} s ({seeding['size_mb']} MB): {seeding}")
            return {"seeding": seeding, **await measure(f"sqlite+aiosqlite:///{path}", levels, samples, http, say)}
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    with postgres_database("store_bench") as url:
        seeding = await seed_postgres(url, shape, corpus)
        say(f"postgres: seeded in {seeding['total_s']} s ({seeding['size_mb']} MB): {seeding}")
        return {"seeding": seeding, **await measure(url, levels, samples, http, say)}


# -- report ----------------------------------------------------------------------


def table(report: dict[str, Any]) -> list[str]:
    lines = [
        "| backend | user | concurrent | operation | p50 ms | p95 ms | p99 ms | ops/s | goal (p99 <= 20 ms) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    rows = [(backend, part) for backend, outcome in report["backends"].items() for part in ("results", "http")]
    for backend, part in rows:
        outcome = report["backends"][backend].get(part, {})
        where = backend if part == "results" else f"{backend} via HTTP"
        for group, levels in outcome.items():
            for level, by_name in levels.items():
                for name, n in by_name.items():
                    goal = ("met" if n["p99_ms"] <= GOAL_P99_MS else "NOT MET") if name in GOAL_OPERATIONS else "-"
                    lines.append(
                        f"| {where} | {group} | {level} | {name} | {n['p50_ms']} | {n['p95_ms']} | {n['p99_ms']} "
                        f"| {n['ops_per_s']:.0f} | {goal} |"
                    )
    return lines


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 conversations, 100 users, fewer samples")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--conversations", type=int)
    parser.add_argument("--messages-per-conversation", type=int, default=10)
    parser.add_argument("--users", type=int, help="typical users (default: conversations / 100)")
    parser.add_argument("--heavy-conversations", type=int, help="the heavy user's (default: 2%% of them)")
    parser.add_argument("--answer-sentences", type=int, default=8, help="sentences per answer (~80 chars each)")
    parser.add_argument("--concurrency", default="1,8,32", help="levels: concurrent calls in flight")
    parser.add_argument("--samples", type=int, help="calls per list/open measurement (default 1000, quick 300)")
    parser.add_argument(
        "--seeded-url",
        help="measure this database instead of seeding one (seeded by this script earlier, with the same "
        "shape flags); e.g. to try an index change. Use with a single --backends",
    )
    parser.add_argument(
        "--http", action="store_true", help="then list and open through a real `scalechat serve` on the same data"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.conversations is None:
        args.conversations = 10_000 if args.quick else 100_000
    if args.users is None:
        args.users = max(1, args.conversations // 100)
    if args.heavy_conversations is None:
        args.heavy_conversations = args.conversations // 50
    if args.samples is None:
        args.samples = 300 if args.quick else 1000
    return args


def main() -> None:
    args = parse_args()
    shape = Shape(
        conversations=args.conversations,
        messages_per_conversation=args.messages_per_conversation,
        users=args.users,
        heavy_conversations=args.heavy_conversations,
        answer_sentences=args.answer_sentences,
    )
    levels = [int(level) for level in args.concurrency.split(",")]
    backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    unknown = set(backends) - {"sqlite", "postgres"}
    if unknown:
        raise SystemExit(f"unknown backends: {', '.join(sorted(unknown))}")
    if args.seeded_url and len(backends) != 1:
        raise SystemExit("--seeded-url measures one database: name its backend alone in --backends")

    def say(line: str) -> None:
        print(line, flush=True)

    corpus = make_corpus(shape.answer_sentences)
    typical = (shape.conversations - shape.heavy_count) / shape.users
    say(
        f"{shape.conversations:,} conversations, {shape.messages:,} messages; {shape.users:,} typical users "
        f"(~{typical:.0f} conversations each) + 1 heavy user ({shape.heavy_count:,} conversations); "
        f"concurrency {levels}, {args.samples} samples per list/open"
    )
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "code": code_state(),
        "shape": {**shape.__dict__, "heavy_count": shape.heavy_count, "page_size": PAGE_SIZE},
        "backends": {},
    }
    for backend in backends:
        report["backends"][backend] = asyncio.run(
            run_backend(backend, shape, corpus, levels, args.samples, say, args.http, args.seeded_url)
        )
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = args.json or RESULTS_DIR / f"store-{stamp}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2))
    say("")
    for line in table(report):
        say(line)
    say(f"\nresults: {path}")


if __name__ == "__main__":
    main()
