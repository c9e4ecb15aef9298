"""What knowing who is asking costs per request: a small API read (GET /api/conversations?limit=20)
in local mode, with a browser session cookie and with a bearer token, against the test provider.

A session costs one database read per request (the session row, with its tokens decrypted);
a bearer token a signature check against cached keys. Sequential requests over keep-alive,
so the numbers are per-request latency, not throughput.

    .venv/bin/python bench/auth_overhead.py [--requests 500] [--json out.json]

Needs `make idp-setup` (the test identity provider, tests/idp).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.identity_provider import Idp, sign_in  # noqa: E402
from tests.support import running_server  # noqa: E402


def measure(client: httpx.Client, url: str, requests: int) -> dict[str, float]:
    for _ in range(50):  # warm-up: connections, caches, the JIT-less interpreter's first paths
        client.get(url).raise_for_status()
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url).raise_for_status()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
        "p99_ms": round(samples[int(len(samples) * 0.99) - 1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    path = "/api/conversations?limit=20"
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        with running_server(work / "local") as local, httpx.Client(base_url=local.url, timeout=30) as client:
            results["local"] = measure(client, path, args.requests)
        (work / "idp").mkdir()
        idp = Idp(work / "idp")
        idp.start()
        try:
            with running_server(work / "entra", **idp.app_env()) as app:
                with httpx.Client(timeout=30) as browser:
                    sign_in(browser, app.url, "bob")
                    results["session cookie"] = measure(browser, app.url + path, args.requests)
                headers = {"Authorization": f"Bearer {idp.mint('bob')}"}
                with httpx.Client(base_url=app.url, headers=headers, timeout=30) as client:
                    results["bearer token"] = measure(client, path, args.requests)
        finally:
            idp.close()
    print(f"| auth | p50 ms | p95 ms | p99 ms |  ({args.requests} sequential requests, GET {path})")
    print("|---|---|---|---|")
    for name, numbers in results.items():
        print(f"| {name} | {numbers['p50_ms']} | {numbers['p95_ms']} | {numbers['p99_ms']} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
