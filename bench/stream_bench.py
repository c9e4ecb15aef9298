"""Streaming benchmark: the time, CPU and memory scalechat adds on top of its model's stream.

One run starts the simulated model and `scalechat serve` as separate processes
(SQLite in a fresh temporary folder), then at each concurrency level streams
answers straight from the simulator and, separately, through scalechat, and
reports the difference. A last phase holds many slow streams open through
scalechat and measures its memory per open stream.

    .venv/bin/python bench/stream_bench.py [--levels 1,10,50,100,200] [--open-streams 1000] [--quick] [--json PATH]

See bench/README.md for what is measured and how to read it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import json
import math
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
import orjson
import psutil

REPO = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO / "bench" / "results"
LOOPBACK = "127.0.0.1"

DEFAULT_LEVELS = (1, 10, 50, 100, 200)
QUICK_LEVELS = (1, 10, 50)
DEFAULT_OPEN_STREAMS = 1000
QUICK_OPEN_STREAMS = 200

QUESTION = "How does a streaming proxy scale with many concurrent answers?"
# The simulator reads `[[sim: ...]]` in the question: a short answer, so warming up a slow simulator is quick.
WARM_UP_QUESTION = "Warm up. [[sim: first_token_ms=0 chunk_interval_ms=1 chunks=5]]"
SYSTEM_PROMPT = "You are a helpful assistant."  # scalechat's default, so both paths send the same prompt

KNEE_ADDED_TTFT_P99_MS = 50.0
TARGET_LEVEL = 100
TARGET_ADDED_TTFT_P50_MS = 5.0
TARGET_ADDED_TTFT_P99_MS = 20.0
TARGET_BYTES_PER_OPEN_STREAM = 100 * 1024

START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0
RSS_SAMPLE_INTERVAL_S = 0.2
CREATE_CONCURRENCY = 16
WANTED_FD_LIMIT = 65_536
LOG_PROBLEM_WORDS = ("Traceback", "ERROR", "CRITICAL", "Exception", "locked", "Error:")
MAX_LOG_PROBLEMS = 20


# -- simulator profiles ------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """What the simulated model does for every request: the SIMULATOR_* settings."""

    first_token_ms: float
    chunk_interval_ms: float
    chunks: int

    @property
    def expected_stream_s(self) -> float:
        return (self.first_token_ms + self.chunk_interval_ms * (self.chunks - 1)) / 1000.0

    def env(self) -> dict[str, str]:
        return {
            "SIMULATOR_FIRST_TOKEN_MS": f"{self.first_token_ms:g}",
            "SIMULATOR_CHUNK_INTERVAL_MS": f"{self.chunk_interval_ms:g}",
            "SIMULATOR_CHUNKS": str(self.chunks),
        }


HEADLINE = Profile(first_token_ms=100, chunk_interval_ms=20, chunks=100)
SLOW = Profile(first_token_ms=100, chunk_interval_ms=1000, chunks=20)


# -- options -------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    levels: tuple[int, ...]
    open_streams: int
    quick: bool
    json_path: Path
    keep_logs: bool

    @property
    def samples_per_level(self) -> int:
        """Streams to aim for per level and path; the rounds per worker follow from it."""
        return 30 if self.quick else 200

    @property
    def max_rounds(self) -> int:
        return 5 if self.quick else 20

    @property
    def min_rounds(self) -> int:
        return 2 if self.quick else 3

    def rounds_for(self, level: int) -> int:
        return max(self.min_rounds, min(self.max_rounds, math.ceil(self.samples_per_level / level)))


def parse_levels(text: str) -> tuple[int, ...]:
    levels = tuple(int(part) for part in text.split(",") if part.strip())
    if not levels or any(level < 1 or level > 5000 for level in levels):
        raise argparse.ArgumentTypeError("levels are 1..5000, comma-separated, e.g. 1,10,50")
    return levels


def parse_options(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--levels", type=parse_levels, default=None, help="concurrency levels (default 1,10,50,100,200)"
    )
    parser.add_argument("--open-streams", type=int, default=None, help="streams held open at once (default 1000)")
    parser.add_argument("--quick", action="store_true", help="smoke run: levels 1,10,50 and 200 open streams")
    parser.add_argument("--json", type=Path, default=None, help="where to write the results (default bench/results/)")
    parser.add_argument("--keep-logs", action="store_true", help="copy the child processes' logs next to the JSON")
    args = parser.parse_args(argv)
    open_streams = args.open_streams
    if open_streams is None:
        open_streams = QUICK_OPEN_STREAMS if args.quick else DEFAULT_OPEN_STREAMS
    if not 0 <= open_streams <= 10_000:
        parser.error("--open-streams must be 0..10000 (0 skips the phase)")
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Options(
        levels=args.levels or (QUICK_LEVELS if args.quick else DEFAULT_LEVELS),
        open_streams=open_streams,
        quick=args.quick,
        json_path=args.json or RESULTS_DIR / f"stream-{stamp}.json",
        keep_logs=args.keep_logs,
    )


# -- the machine: cores and file descriptors ----------------------------------


@dataclass(frozen=True)
class CorePlan:
    server: frozenset[int] | None
    client: frozenset[int] | None  # the simulator and this load generator
    note: str


def plan_cores() -> CorePlan:
    if not hasattr(os, "sched_setaffinity"):
        return CorePlan(None, None, "not pinned: os.sched_setaffinity is unavailable here")
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        return CorePlan(None, None, f"not pinned: only {len(cores)} core available")
    server, client = frozenset(cores[:1]), frozenset(cores[1:2])
    return CorePlan(
        server, client, f"pinned: scalechat on core {cores[0]}, simulator + load generator on core {cores[1]}"
    )


def pin(pid: int, cores: frozenset[int] | None) -> None:
    """Pin a process and every thread it has so far (later threads inherit from their creator)."""
    if cores is None:
        return
    task_dir = Path(f"/proc/{pid}/task")
    thread_ids = [int(name) for name in os.listdir(task_dir)] if task_dir.exists() else [pid]
    for thread_id in thread_ids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.sched_setaffinity(thread_id, cores)


def raise_fd_limit(needed: int) -> str:
    """Raise this process's (and so its children's) open-file limit; say what it is."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = WANTED_FD_LIMIT if hard == resource.RLIM_INFINITY else min(WANTED_FD_LIMIT, hard)
    if soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    warning = "" if soft >= needed else f" (WARNING: about {needed} needed)"
    return f"RLIMIT_NOFILE {soft}{warning}"


# -- child processes -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def clean_env(extra: dict[str, str]) -> dict[str, str]:
    """This environment without any model or database settings of the machine, plus `extra`."""
    prefixes = ("AZURE_", "OPENAI_", "SIMULATOR_", "MODEL_", "SCALECHAT_", "DATABASE_URL", "LOG_LEVEL")
    env = {key: value for key, value in os.environ.items() if not key.startswith(prefixes)}
    env.update(extra)
    return env


def die_with_parent() -> None:
    """In the child before exec: get SIGTERM if the benchmark itself is killed (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


@dataclass
class Child:
    """A `python -m scalechat ...` process started by the benchmark."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    ps: psutil.Process

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def cpu_seconds(self) -> float:
        """CPU of the whole process (all threads); 0 once it has gone."""
        with contextlib.suppress(psutil.Error):
            times = self.ps.cpu_times()
            return times.user + times.system
        return 0.0

    def loop_thread_cpu_seconds(self) -> float:
        """CPU of the main thread only (the event loop), not of helper threads such as aiosqlite's."""
        with contextlib.suppress(psutil.Error):
            for thread in self.ps.threads():
                if thread.id == self.ps.pid:
                    return thread.user_time + thread.system_time
        return 0.0

    def rss(self) -> int:
        with contextlib.suppress(psutil.Error):
            return self.ps.memory_info().rss
        return 0

    def open_fds(self) -> int:
        with contextlib.suppress(psutil.Error):
            return self.ps.num_fds()
        return 0

    def stop(self) -> int | None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def log_problems(self) -> list[str]:
        """Lines of its log that look like trouble: tracebacks, errors, a locked database."""
        if not self.log_path.exists():
            return []
        lines = self.log_path.read_text(errors="replace").splitlines()
        return [line.strip() for line in lines if any(word in line for word in LOG_PROBLEM_WORDS)]


class Children:
    """Every process the benchmark started, so that any exit stops them all."""

    def __init__(self, work_dir: Path) -> None:
        self.work_dir = work_dir
        self.started: list[Child] = []

    def spawn(self, name: str, command: str, env: dict[str, str], cores: frozenset[int] | None) -> Child:
        port = free_port()
        log_path = self.work_dir / f"{name}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "scalechat", command, "--host", LOOPBACK, "--port", str(port)],
                env=clean_env(env),
                cwd=self.work_dir,  # no .env of the developer's is read
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches only the benchmark, which stops these in order
                preexec_fn=die_with_parent,
            )
        pin(process.pid, cores)
        child = Child(name=name, process=process, port=port, log_path=log_path, ps=psutil.Process(process.pid))
        self.started.append(child)
        return child

    def stop(self, child: Child) -> None:
        child.stop()
        if child in self.started:
            self.started.remove(child)

    def stop_all(self) -> None:
        for child in reversed(self.started):
            with contextlib.suppress(Exception):
                child.stop()
        self.started.clear()


async def wait_ready(child: Child, cores: frozenset[int] | None) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    async with httpx.AsyncClient(timeout=1.0) as client:
        while time.monotonic() < deadline:
            if child.process.poll() is not None:
                tail = child.log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{child.name} exited with code {child.process.returncode}:\n{tail}")
            with contextlib.suppress(httpx.TransportError):
                if (await client.get(child.url + "/healthz")).status_code == 200:
                    pin(child.process.pid, cores)  # threads started during start-up
                    return
            await asyncio.sleep(0.05)
    raise RuntimeError(f"{child.name} did not answer /healthz within {START_TIMEOUT_S:g} s")


async def start_simulator(children: Children, name: str, profile: Profile, cores: frozenset[int] | None) -> Child:
    child = children.spawn(name, "simulate", profile.env(), cores)
    await wait_ready(child, cores)
    return child


async def start_scalechat(children: Children, name: str, simulator: Child, cores: frozenset[int] | None) -> Child:
    data_dir = children.work_dir / f"{name}-data"
    data_dir.mkdir()
    env = {
        "SCALECHAT_DATA_DIR": str(data_dir),
        "OPENAI_BASE_URL": simulator.url + "/v1",
        "OPENAI_MODEL": "simulated",
        "LOG_LEVEL": "WARNING",
        "SHUTDOWN_GRACE_SECONDS": "2",
    }
    child = children.spawn(name, "serve", env, cores)
    await wait_ready(child, cores)
    return child


# -- the load generator: one raw HTTP/1.1 connection per stream ---------------------


@dataclass(frozen=True)
class Markers:
    """Byte strings that mark the first content, the end, and an error event of a stream."""

    content: bytes
    done: bytes
    error: bytes | None

    @property
    def overlap(self) -> int:
        return max(len(self.content), len(self.done), len(self.error or b"")) - 1


DIRECT_MARKERS = Markers(content=b'"delta":{"content":', done=b"data: [DONE]", error=None)
THROUGH_MARKERS = Markers(content=b"event: delta\n", done=b"event: done\n", error=b"event: error\n")


@dataclass(slots=True)
class StreamResult:
    ttft_s: float | None = None
    total_s: float | None = None
    deltas: int = 0
    error: str | None = None
    detail: str | None = None


@dataclass
class Gauge:
    """How many streams have their response headers and have not ended yet."""

    open_now: int = 0
    open_max: int = 0

    def opened(self) -> None:
        self.open_now += 1
        self.open_max = max(self.open_max, self.open_now)

    def closed(self) -> None:
        self.open_now -= 1


def post_request(port: int, path: str, body: dict[str, Any]) -> bytes:
    payload = orjson.dumps(body)
    head = (
        f"POST {path} HTTP/1.1\r\n"
        f"Host: {LOOPBACK}:{port}\r\n"
        "Content-Type: application/json\r\n"
        "Accept: text/event-stream\r\n"
        f"Content-Length: {len(payload)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + payload


def direct_request(port: int) -> bytes:
    body = {
        "model": "simulated",
        "messages": [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": QUESTION}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    return post_request(port, "/v1/chat/completions", body)


def through_request(port: int, conversation_id: str, question: str = QUESTION) -> bytes:
    return post_request(port, f"/api/conversations/{conversation_id}/messages", {"content": question})


async def run_stream(port: int, request: bytes, markers: Markers, timeout_s: float, gauge: Gauge) -> StreamResult:
    """Send one request and read its SSE answer; the clock starts before connecting."""
    started = time.perf_counter()
    result = StreamResult()
    try:
        async with asyncio.timeout(timeout_s):
            reader, writer = await asyncio.open_connection(LOOPBACK, port)
            try:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                if status != 200:
                    result.error = f"http {status}"
                    result.detail = (await reader.read(600)).decode(errors="replace")
                    return result
                gauge.opened()
                try:
                    await read_answer(reader, markers, started, result)
                finally:
                    gauge.closed()
            finally:
                writer.close()
    except TimeoutError:
        result.error = "timeout"
        result.detail = f"no end after {timeout_s:g} s (first content {'seen' if result.ttft_s else 'not seen'})"
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
        result.error = f"exception {type(exc).__name__}"
        result.detail = str(exc)[:300]
    return result


async def read_answer(reader: asyncio.StreamReader, markers: Markers, started: float, result: StreamResult) -> None:
    """Scan the raw body for the markers; keep a short tail so a marker split across reads is found."""
    tail = b""
    keep = markers.overlap
    while True:
        data = await reader.read(65_536)
        if not data:
            result.error = "truncated"
            result.detail = f"the connection closed after {result.deltas} content chunks and before the end"
            return
        window = tail + data
        count = window.count(markers.content)
        if count:
            if result.ttft_s is None:
                result.ttft_s = time.perf_counter() - started
            result.deltas += count
        if markers.done in window:
            result.total_s = time.perf_counter() - started
            if result.ttft_s is None:
                result.error, result.detail = "no content", "the stream ended without a content chunk"
            await drain(reader)
            return
        if markers.error is not None and markers.error in window:
            result.error, result.detail = await read_error_event(reader, window, markers.error)
            return
        tail = window[-keep:]


async def read_error_event(reader: asyncio.StreamReader, window: bytes, marker: bytes) -> tuple[str, str]:
    """Name an `error` event by its code (reads a little more if the event is not complete yet)."""
    event = window[window.index(marker) :]
    with contextlib.suppress(TimeoutError, OSError):
        async with asyncio.timeout(1.0):
            while b"\n\n" not in event and len(event) < 10_000:
                more = await reader.read(4096)
                if not more:
                    break
                event += more
    data = event.partition(b"data:")[2].partition(b"\n\n")[0].strip()
    try:
        payload = orjson.loads(data)
        return f"error event {payload.get('code', '?')}", str(payload.get("detail", ""))[:300]
    except orjson.JSONDecodeError:
        return "error event", data.decode(errors="replace")[:300]


async def drain(reader: asyncio.StreamReader) -> None:
    """Read the response's last bytes so the server, not the client, ends the connection."""
    with contextlib.suppress(TimeoutError, OSError):
        async with asyncio.timeout(1.0):
            while await reader.read(65_536):
                pass


@dataclass(frozen=True)
class Workload:
    port: int
    markers: Markers
    request_for: Callable[[int], bytes]  # stream number -> request bytes


async def run_streams(
    workload: Workload, concurrency: int, rounds: int, stagger_s: float, timeout_s: float, gauge: Gauge
) -> list[StreamResult]:
    """`concurrency` workers, each running `rounds` streams back to back, starts spread over `stagger_s`."""
    results: list[StreamResult] = []

    async def worker(index: int) -> None:
        await asyncio.sleep(stagger_s * index / concurrency)
        for round_number in range(rounds):
            request = workload.request_for(index * rounds + round_number)
            results.append(await run_stream(workload.port, request, workload.markers, timeout_s, gauge))

    await asyncio.gather(*(worker(index) for index in range(concurrency)))
    return results


async def create_conversations(server: Child, count: int) -> list[str]:
    """Conversations for the streams to come; made before the timed part, not measured."""
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=CREATE_CONCURRENCY)
    gate = asyncio.Semaphore(CREATE_CONCURRENCY)
    async with httpx.AsyncClient(base_url=server.url, timeout=30.0, limits=limits) as client:

        async def create_one(number: int) -> str:
            async with gate:
                response = await client.post("/api/conversations", json={"title": f"bench {number}"})
                response.raise_for_status()
                conversation_id: str = response.json()["id"]
                return conversation_id

        return list(await asyncio.gather(*(create_one(number) for number in range(count))))


# -- measuring a phase -------------------------------------------------------------


@dataclass
class RssSampler:
    """Samples a process's RSS and open fds, with the open-stream gauge, until cancelled."""

    child: Child
    gauge: Gauge
    samples: list[tuple[int, int]] = field(default_factory=list)  # (rss, streams open)
    peak_fds: int = 0

    async def run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(RSS_SAMPLE_INTERVAL_S)

    def sample(self) -> None:
        self.samples.append((self.child.rss(), self.gauge.open_now))
        self.peak_fds = max(self.peak_fds, self.child.open_fds())

    @property
    def peak_rss(self) -> int:
        return max((rss for rss, _ in self.samples), default=0)

    def rss_when_most_open(self) -> tuple[int, int]:
        """The highest RSS among the samples taken while the most streams were open, and that count."""
        most_open = max((open_now for _, open_now in self.samples), default=0)
        rss = max((rss for rss, open_now in self.samples if open_now == most_open), default=0)
        return rss, most_open


@dataclass
class Percentiles:
    p50: float | None
    p95: float | None
    p99: float | None

    def minus(self, other: Percentiles) -> Percentiles:
        def diff(a: float | None, b: float | None) -> float | None:
            return None if a is None or b is None else a - b

        return Percentiles(diff(self.p50, other.p50), diff(self.p95, other.p95), diff(self.p99, other.p99))


def percentile(ordered: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks; None for no data."""
    if not ordered:
        return None
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def percentiles_ms(values_s: Sequence[float]) -> Percentiles:
    ordered = sorted(value * 1000.0 for value in values_s)
    return Percentiles(percentile(ordered, 0.50), percentile(ordered, 0.95), percentile(ordered, 0.99))


@dataclass
class PhaseResult:
    streams: int
    ok: int
    errors: dict[str, int]
    error_examples: dict[str, str]
    ttft_ms: Percentiles
    total_ms: Percentiles
    deltas_min: int
    deltas_max: int
    wall_s: float
    server_cpu_s: float
    server_loop_thread_cpu_s: float
    simulator_cpu_s: float
    load_generator_cpu_s: float
    server_peak_rss: int
    server_rss_most_open: int  # RSS sampled while the most streams were open
    most_open_sampled: int
    server_peak_fds: int
    open_max: int
    exited: dict[str, int | None]  # a process that ended during the phase: its exit code (-15: SIGTERM)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def server_cpu_ms_per_stream(self) -> float:
        return 1000.0 * self.server_cpu_s / self.streams if self.streams else 0.0

    @property
    def client_core_busy(self) -> float:
        """Share of one core used by the simulator and the load generator (they share a core)."""
        return (self.simulator_cpu_s + self.load_generator_cpu_s) / self.wall_s if self.wall_s else 0.0


def summarise(results: Sequence[StreamResult]) -> tuple[dict[str, int], dict[str, str], Percentiles, Percentiles]:
    good = [result for result in results if result.error is None]
    errors = Counter(result.error for result in results if result.error is not None)
    examples: dict[str, str] = {}
    for result in results:
        if result.error is not None and result.error not in examples:
            examples[result.error] = result.detail or ""
    ttft = percentiles_ms([result.ttft_s for result in good if result.ttft_s is not None])
    total = percentiles_ms([result.total_s for result in good if result.total_s is not None])
    return dict(errors), examples, ttft, total


def own_cpu_seconds() -> float:
    times = psutil.Process().cpu_times()
    return times.user + times.system


@dataclass(frozen=True)
class Snapshot:
    """CPU seconds so far of scalechat (all threads, and its event-loop thread), the simulator and this process."""

    server: float
    server_loop: float
    simulator: float
    load_generator: float
    clock: float

    @classmethod
    def take(cls, server: Child, simulator: Child) -> Snapshot:
        return cls(
            server=server.cpu_seconds(),
            server_loop=server.loop_thread_cpu_seconds(),
            simulator=simulator.cpu_seconds(),
            load_generator=own_cpu_seconds(),
            clock=time.perf_counter(),
        )


async def measure(
    streams: Callable[[Gauge], Awaitable[list[StreamResult]]], server: Child, simulator: Child
) -> PhaseResult:
    """Run `streams` while counting CPU of all three processes and sampling scalechat's RSS."""
    gauge = Gauge()
    sampler = RssSampler(server, gauge)
    before = Snapshot.take(server, simulator)
    sampling = asyncio.create_task(sampler.run())
    try:
        results = await streams(gauge)
    finally:
        sampling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampling
    sampler.sample()
    after = Snapshot.take(server, simulator)
    errors, examples, ttft, total = summarise(results)
    most_open_rss, most_open = sampler.rss_when_most_open()
    deltas = [result.deltas for result in results if result.error is None] or [0]
    return PhaseResult(
        streams=len(results),
        ok=len(results) - sum(errors.values()),
        errors=errors,
        error_examples=examples,
        ttft_ms=ttft,
        total_ms=total,
        deltas_min=min(deltas),
        deltas_max=max(deltas),
        wall_s=after.clock - before.clock,
        server_cpu_s=after.server - before.server,
        server_loop_thread_cpu_s=after.server_loop - before.server_loop,
        simulator_cpu_s=after.simulator - before.simulator,
        load_generator_cpu_s=after.load_generator - before.load_generator,
        server_peak_rss=sampler.peak_rss,
        server_rss_most_open=most_open_rss,
        most_open_sampled=most_open,
        server_peak_fds=sampler.peak_fds,
        open_max=gauge.open_max,
        exited={child.name: child.process.poll() for child in (server, simulator) if child.process.poll() is not None},
    )


# -- the headline levels -------------------------------------------------------------


@dataclass
class LevelResult:
    level: int
    rounds: int
    direct: PhaseResult
    through: PhaseResult

    @property
    def added_ttft_ms(self) -> Percentiles:
        return self.through.ttft_ms.minus(self.direct.ttft_ms)

    @property
    def added_total_ms(self) -> Percentiles:
        return self.through.total_ms.minus(self.direct.total_ms)


def stream_timeout_s(profile: Profile) -> float:
    return profile.expected_stream_s * 5 + 10.0


async def run_level(level: int, rounds: int, server: Child, simulator: Child) -> LevelResult:
    timeout_s = stream_timeout_s(HEADLINE)
    stagger_s = HEADLINE.expected_stream_s if level > 1 else 0.0
    direct = Workload(simulator.port, DIRECT_MARKERS, lambda _: direct_request(simulator.port))
    direct_result = await measure(
        lambda gauge: run_streams(direct, level, rounds, stagger_s, timeout_s, gauge), server, simulator
    )
    conversation_ids = await create_conversations(server, level * rounds)
    through = Workload(server.port, THROUGH_MARKERS, lambda n: through_request(server.port, conversation_ids[n]))
    through_result = await measure(
        lambda gauge: run_streams(through, level, rounds, stagger_s, timeout_s, gauge), server, simulator
    )
    return LevelResult(level, rounds, direct_result, through_result)


async def warm_up(server: Child, simulator: Child) -> None:
    """A few streams on both paths, so imports, pools and caches are not in the first level."""
    timeout_s = stream_timeout_s(HEADLINE)
    ids = await create_conversations(server, 4)
    direct = Workload(simulator.port, DIRECT_MARKERS, lambda _: direct_request(simulator.port))
    through = Workload(server.port, THROUGH_MARKERS, lambda n: through_request(server.port, ids[n]))
    await run_streams(direct, 4, 1, 0.0, timeout_s, Gauge())
    await run_streams(through, 4, 1, 0.0, timeout_s, Gauge())


def knee(levels: Sequence[LevelResult]) -> dict[str, Any]:
    """The first level whose added TTFT p99 passes the threshold."""
    for result in levels:
        added = result.added_ttft_ms.p99
        if added is None or added > KNEE_ADDED_TTFT_P99_MS:
            return {"level": result.level, "added_ttft_p99_ms": added, "reached": True}
    top = max((result.level for result in levels), default=0)
    return {"level": None, "reached": False, "up_to": top}


# -- the open-streams phase ----------------------------------------------------------


@dataclass
class OpenStreamsResult:
    streams: int
    ramp_s: float
    rss_before: int
    rss_after: int
    phase: PhaseResult

    @property
    def growth_bytes(self) -> int:
        """RSS with the most streams open (as sampled) over RSS before, idle after a warm-up."""
        return max(0, self.phase.server_rss_most_open - self.rss_before)

    @property
    def bytes_per_open_stream(self) -> float | None:
        open_streams = self.phase.most_open_sampled
        return self.growth_bytes / open_streams if open_streams else None


async def settled_rss(child: Child, samples: int = 5) -> int:
    """The median of a few RSS samples a little apart."""
    values = []
    for _ in range(samples):
        values.append(child.rss())
        await asyncio.sleep(0.2)
    return sorted(values)[len(values) // 2]


async def run_open_streams(count: int, server: Child, simulator: Child) -> OpenStreamsResult:
    ids = await create_conversations(server, count + 2)
    warm = Workload(
        server.port, THROUGH_MARKERS, lambda n: through_request(server.port, ids[count + n], WARM_UP_QUESTION)
    )
    await run_streams(warm, 2, 1, 0.0, stream_timeout_s(SLOW), Gauge())
    rss_before = await settled_rss(server)
    ramp_s = min(5.0, count / 200.0)
    workload = Workload(server.port, THROUGH_MARKERS, lambda n: through_request(server.port, ids[n]))
    timeout_s = stream_timeout_s(SLOW) + ramp_s
    phase = await measure(lambda gauge: run_streams(workload, count, 1, ramp_s, timeout_s, gauge), server, simulator)
    rss_after = await settled_rss(server)
    return OpenStreamsResult(count, ramp_s, rss_before, rss_after, phase)


# -- the report ---------------------------------------------------------------------------


def ms(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.1f}" if signed else f"{value:.1f}"


def mb(value: float) -> str:
    return f"{value / 1_048_576:.1f}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Plain text, right-aligned columns except the first two."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


LEVEL_HEADER = (
    "streams",
    "path",
    "n",
    "err",
    "TTFT p50",
    "p95",
    "p99",
    "total p50",
    "p95",
    "p99",
    "srv CPU ms/stream",
    "srv RSS MB",
    "sim CPU s",
    "client core",
)


def phase_row(level: int, path: str, phase: PhaseResult, with_server: bool) -> list[str]:
    return [
        str(level),
        path,
        str(phase.streams),
        str(phase.error_count),
        ms(phase.ttft_ms.p50),
        ms(phase.ttft_ms.p95),
        ms(phase.ttft_ms.p99),
        ms(phase.total_ms.p50),
        ms(phase.total_ms.p95),
        ms(phase.total_ms.p99),
        f"{phase.server_cpu_ms_per_stream:.2f}" if with_server else "",
        mb(phase.server_peak_rss) if with_server else "",
        f"{phase.simulator_cpu_s:.1f}",
        f"{100 * phase.client_core_busy:.0f}%",
    ]


def added_row(level: int, result: LevelResult) -> list[str]:
    ttft, total = result.added_ttft_ms, result.added_total_ms
    cells = [ms(ttft.p50, True), ms(ttft.p95, True), ms(ttft.p99, True)]
    cells += [ms(total.p50, True), ms(total.p95, True), ms(total.p99, True)]
    return ["", "added", "", "", *cells, "", "", "", ""]


def levels_table(levels: Sequence[LevelResult]) -> str:
    rows: list[list[str]] = []
    for result in levels:
        rows.append(phase_row(result.level, "direct", result.direct, with_server=False))
        rows.append(phase_row(result.level, "scalechat", result.through, with_server=True))
        rows.append(added_row(result.level, result))
    return table(LEVEL_HEADER, rows)


def open_streams_table(result: OpenStreamsResult) -> str:
    phase = result.phase
    per_stream = result.bytes_per_open_stream
    rows = [
        ["streams started (ramp)", f"{result.streams} over {result.ramp_s:.1f} s"],
        ["most open at once", str(phase.open_max)],
        ["errors", f"{phase.error_count} {phase.errors or ''}".strip()],
        ["scalechat RSS before", f"{mb(result.rss_before)} MB"],
        [
            "scalechat RSS, most streams open",
            f"{mb(phase.server_rss_most_open)} MB with {phase.most_open_sampled} open",
        ],
        ["scalechat RSS, peak sampled", f"{mb(phase.server_peak_rss)} MB"],
        ["growth per open stream", f"{per_stream / 1024:.1f} KB" if per_stream is not None else "-"],
        ["scalechat RSS after, all closed", f"{mb(result.rss_after)} MB"],
        ["scalechat open fds at peak", str(phase.server_peak_fds)],
        ["TTFT p50 / p95 / p99", f"{ms(phase.ttft_ms.p50)} / {ms(phase.ttft_ms.p95)} / {ms(phase.ttft_ms.p99)} ms"],
        ["total p50 / p99", f"{ms(phase.total_ms.p50)} / {ms(phase.total_ms.p99)} ms"],
        [
            "scalechat CPU",
            f"{phase.server_cpu_s:.1f} s ({phase.server_cpu_ms_per_stream:.1f} ms/stream), "
            f"{phase.server_loop_thread_cpu_s:.1f} s in the event-loop thread",
        ],
        ["simulator CPU", f"{phase.simulator_cpu_s:.1f} s"],
    ]
    return table(("measure", "value"), rows)


@dataclass
class Target:
    name: str
    measured: str
    met: bool | None  # None: not measured in this run


def verdict(met: bool | None) -> str:
    return "not measured" if met is None else ("met" if met else "NOT MET")


def targets(levels: Sequence[LevelResult], open_streams: OpenStreamsResult | None, wanted_open: int) -> list[Target]:
    found: list[Target] = []
    at_target = next((result for result in levels if result.level == TARGET_LEVEL), None)
    if at_target is None:
        found.append(Target(f"{TARGET_LEVEL} streams: added TTFT and errors", "level not run", None))
    else:
        added = at_target.added_ttft_ms
        found.append(
            Target(
                f"{TARGET_LEVEL} streams: added TTFT p50 <= {TARGET_ADDED_TTFT_P50_MS:g} ms",
                f"{ms(added.p50, True)} ms",
                added.p50 is not None and added.p50 <= TARGET_ADDED_TTFT_P50_MS,
            )
        )
        found.append(
            Target(
                f"{TARGET_LEVEL} streams: added TTFT p99 <= {TARGET_ADDED_TTFT_P99_MS:g} ms",
                f"{ms(added.p99, True)} ms",
                added.p99 is not None and added.p99 <= TARGET_ADDED_TTFT_P99_MS,
            )
        )
        errors = at_target.through.error_count + at_target.direct.error_count
        found.append(Target(f"{TARGET_LEVEL} streams: 0 errors", str(errors), errors == 0))
    if open_streams is None:
        found.append(Target("open streams: 0 errors, <= 100 KB/stream", "phase not run", None))
        return found
    label = f"{wanted_open} open streams"
    found.append(Target(f"{label}: 0 errors", str(open_streams.phase.error_count), open_streams.phase.error_count == 0))
    per_stream = open_streams.bytes_per_open_stream
    found.append(
        Target(
            f"{label}: <= {TARGET_BYTES_PER_OPEN_STREAM // 1024} KB per open stream",
            f"{per_stream / 1024:.1f} KB" if per_stream is not None else "-",
            per_stream is not None and per_stream <= TARGET_BYTES_PER_OPEN_STREAM,
        )
    )
    return found


def targets_table(found: Sequence[Target]) -> str:
    return table(("target", "measured", "verdict"), [[t.name, t.measured, verdict(t.met)] for t in found])


def knee_line(found: dict[str, Any]) -> str:
    if found["reached"]:
        return (
            f"Added TTFT p99 first passes {KNEE_ADDED_TTFT_P99_MS:g} ms at {found['level']} streams "
            f"({ms(found['added_ttft_p99_ms'], True)} ms)."
        )
    return f"Added TTFT p99 stays under {KNEE_ADDED_TTFT_P99_MS:g} ms: not reached up to {found['up_to']} streams."


def error_lines(levels: Sequence[LevelResult], open_streams: OpenStreamsResult | None) -> list[str]:
    phases = [(f"{r.level} direct", r.direct) for r in levels] + [(f"{r.level} scalechat", r.through) for r in levels]
    if open_streams is not None:
        phases.append(("open streams", open_streams.phase))
    lines = []
    for name, phase in phases:
        for kind, count in phase.errors.items():
            lines.append(f"  {name}: {count} x {kind}: {phase.error_examples.get(kind, '')[:200]}")
        for process, code in phase.exited.items():
            lines.append(
                f"  {name}: {process} EXITED during the phase with code {code} (negative: killed by that signal)"
            )
    return lines


# -- JSON ------------------------------------------------------------------------------


def level_json(result: LevelResult) -> dict[str, Any]:
    return {
        "level": result.level,
        "rounds_per_worker": result.rounds,
        "direct": phase_json(result.direct),
        "through_scalechat": phase_json(result.through),
        "added_ttft_ms": asdict(result.added_ttft_ms),
        "added_total_ms": asdict(result.added_total_ms),
    }


def phase_json(phase: PhaseResult) -> dict[str, Any]:
    data = asdict(phase)
    data["error_count"] = phase.error_count
    data["server_cpu_ms_per_stream"] = phase.server_cpu_ms_per_stream
    data["client_core_busy"] = phase.client_core_busy
    return data


def open_streams_json(result: OpenStreamsResult) -> dict[str, Any]:
    return {
        "streams": result.streams,
        "ramp_s": result.ramp_s,
        "profile": asdict(SLOW),
        "rss_before": result.rss_before,
        "rss_after": result.rss_after,
        "growth_bytes": result.growth_bytes,
        "bytes_per_open_stream": result.bytes_per_open_stream,
        "phase": phase_json(result.phase),
    }


def write_json(path: Path, report: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")


# -- the run ------------------------------------------------------------------------------


@dataclass
class Run:
    options: Options
    cores: CorePlan
    children: Children
    report: dict[str, Any] = field(default_factory=dict)
    levels: list[LevelResult] = field(default_factory=list)
    open_streams: OpenStreamsResult | None = None


def say(text: str = "") -> None:
    print(text, flush=True)


def record_log_problems(run: Run, phase: str, server: Child) -> None:
    problems = server.log_problems()
    run.report["server_log_problems"][phase] = problems[:MAX_LOG_PROBLEMS]
    run.report["server_log_problem_count"][phase] = len(problems)


async def run_headline(run: Run) -> None:
    cores = run.cores
    simulator = await start_simulator(run.children, "simulator", HEADLINE, cores.client)
    server = await start_scalechat(run.children, "scalechat", simulator, cores.server)
    await warm_up(server, simulator)
    for level in run.options.levels:
        rounds = run.options.rounds_for(level)
        say(f"  level {level}: {rounds} rounds per worker, direct then through scalechat ...")
        result = await run_level(level, rounds, server, simulator)
        run.levels.append(result)
        run.report["levels"].append(level_json(result))
        say(
            f"    added TTFT p50/p99 {ms(result.added_ttft_ms.p50, True)}/{ms(result.added_ttft_ms.p99, True)} ms, "
            f"errors {result.direct.error_count}/{result.through.error_count}"
        )
    record_log_problems(run, "headline", server)
    await asyncio.to_thread(run.children.stop, server)
    await asyncio.to_thread(run.children.stop, simulator)


async def run_open_phase(run: Run) -> None:
    count = run.options.open_streams
    cores = run.cores
    say(f"  open streams: {count} through scalechat, simulator at {SLOW.chunk_interval_ms:g} ms per chunk ...")
    simulator = await start_simulator(run.children, "slow-simulator", SLOW, cores.client)
    server = await start_scalechat(run.children, "scalechat-open", simulator, cores.server)
    run.open_streams = await run_open_streams(count, server, simulator)
    run.report["open_streams"] = open_streams_json(run.open_streams)
    record_log_problems(run, "open_streams", server)
    await asyncio.to_thread(run.children.stop, server)
    await asyncio.to_thread(run.children.stop, simulator)


async def bench(run: Run) -> None:
    if run.cores.client is not None:
        os.sched_setaffinity(0, run.cores.client)
    if run.options.levels:
        await run_headline(run)
    if run.options.open_streams:
        await run_open_phase(run)


def code_state() -> dict[str, Any]:
    """The commit and the files changed in the working tree: what was measured."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return done.stdout.strip()

    changed = [line[3:] for line in git("status", "--porcelain").splitlines() if line[3:].startswith("src/")]
    return {"commit": git("rev-parse", "--short", "HEAD") or "unknown", "changed_src_files": changed}


def new_report(options: Options, cores: CorePlan, fd_note: str) -> dict[str, Any]:
    return {
        "benchmark": "stream",
        "started_at": datetime.now().isoformat(timespec="seconds"),
        "complete": False,
        "options": {"levels": list(options.levels), "open_streams": options.open_streams, "quick": options.quick},
        "machine": {
            "cpus": os.cpu_count(),
            "pinning": cores.note,
            "fd_limit": fd_note,
            "python": sys.version.split()[0],
            "load_generator": "raw asyncio streams, one HTTP/1.1 connection per stream",
        },
        "code": code_state(),
        "headline_profile": asdict(HEADLINE),
        "knee_threshold_added_ttft_p99_ms": KNEE_ADDED_TTFT_P99_MS,
        "levels": [],
        "open_streams": None,
        "server_log_problems": {},
        "server_log_problem_count": {},
    }


def print_report(run: Run) -> None:
    say()
    say(f"scalechat streaming benchmark, {run.report['started_at']}")
    say(f"  {run.cores.note}; {run.report['machine']['fd_limit']}")
    code = run.report["code"]
    say(f"  code: commit {code['commit']} + {len(code['changed_src_files'])} changed files under src/ (as measured)")
    say(
        f"  headline simulator: {HEADLINE.first_token_ms:g} ms to first token, a chunk every "
        f"{HEADLINE.chunk_interval_ms:g} ms, {HEADLINE.chunks} chunks; times in ms"
    )
    say("  client core = CPU of simulator + load generator / wall time (near 100%: the client side is the limit)")
    if run.levels:
        say()
        say(levels_table(run.levels))
        say()
        say(knee_line(run.report["knee"]))
    if run.open_streams is not None:
        say()
        say(f"Open streams ({SLOW.chunks} chunks {SLOW.chunk_interval_ms:g} ms apart, ~{SLOW.expected_stream_s:.0f} s)")
        say(open_streams_table(run.open_streams))
    say()
    say(targets_table(targets(run.levels, run.open_streams, run.options.open_streams)))
    errors = error_lines(run.levels, run.open_streams)
    if errors:
        say()
        say("Errors:")
        say("\n".join(errors))
    for phase, count in run.report["server_log_problem_count"].items():
        if count:
            say()
            say(f"scalechat log ({phase}): {count} problem lines, first ones:")
            say("\n".join(f"  {line[:200]}" for line in run.report["server_log_problems"][phase][:8]))


def stop_on_sigterm() -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def run_event_loop(main: Coroutine[Any, Any, None]) -> None:
    """uvloop when it is installed (it comes with uvicorn[standard]): less client CPU per chunk."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    uvloop.run(main)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    stop_on_sigterm()
    cores = plan_cores()
    fd_note = raise_fd_limit(needed=4 * options.open_streams + 200)
    work_dir = Path(tempfile.mkdtemp(prefix="scalechat-bench-"))
    run = Run(options, cores, Children(work_dir), report=new_report(options, cores, fd_note))
    say(f"stream bench: levels {','.join(map(str, options.levels))}, {options.open_streams} open streams; {cores.note}")
    exit_code = 0
    try:
        run_event_loop(bench(run))
        run.report["complete"] = True
    except KeyboardInterrupt:
        exit_code = 130
        say("interrupted: stopping the processes it started")
    except Exception as exc:
        exit_code = 1
        traceback.print_exc()
        run.report["failure"] = f"{type(exc).__name__}: {exc}"
        say(f"FAILED: {run.report['failure']} (the report below is partial)")
    finally:
        run.children.stop_all()
        run.report["knee"] = knee(run.levels)
        run.report["targets"] = [asdict(t) for t in targets(run.levels, run.open_streams, options.open_streams)]
        write_json(options.json_path, run.report)
        keep_logs(run, work_dir)
    print_report(run)
    say()
    say(f"results: {options.json_path}")
    return exit_code


def keep_logs(run: Run, work_dir: Path) -> None:
    """Copy the child logs next to the results if asked, or if scalechat logged problems; remove the temp folder."""
    problems = any(run.report["server_log_problem_count"].values()) or not run.report["complete"]
    if run.options.keep_logs or problems:
        for log in work_dir.glob("*.log"):
            target = run.options.json_path.with_name(f"{run.options.json_path.stem}-{log.name}")
            with contextlib.suppress(OSError):
                shutil.copyfile(log, target)
    shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
