"""Sinks taken down for real while records flow: a PostgreSQL server stopped and started, and
a JSON-lines folder replaced by a file (root ignores permissions, so chmod would not do)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.postgres_server import PostgresServer


@contextmanager
def folder_unwritable(folder: Path) -> Iterator[None]:
    """Until the block ends, every write into `folder` fails (it is a file meanwhile)."""
    folder.mkdir(parents=True, exist_ok=True)
    aside = folder.with_name(folder.name + ".aside")
    folder.rename(aside)
    folder.write_text("not a folder")
    try:
        yield
    finally:
        folder.unlink()
        aside.rename(folder)


def _pg_ctl(server: PostgresServer, *args: str) -> None:
    assert server.root is not None
    subprocess.run(
        [str(server.bindir / "pg_ctl"), "-D", str(server.root / "data"), *args],
        user="postgres" if os.geteuid() == 0 else None,
        check=True,
        capture_output=True,
    )


def stop_postgres(server: PostgresServer) -> None:
    """Every connection cut, transactions in flight rolled back. (Not `immediate`: the test cluster
    runs with synchronous_commit=off, so a crash would lose commits it had already acknowledged.)"""
    _pg_ctl(server, "-m", "fast", "-w", "stop")


def start_postgres(server: PostgresServer) -> None:
    """Again on the same data, port and socket folder (as `PostgresServer.start` chose them)."""
    assert server.root is not None
    options = f"-p {server.port} -h 127.0.0.1 -k {server.root / 'sock'} -c fsync=off -c max_connections=300"
    _pg_ctl(server, "-l", str(server.root / "pg.log"), "-w", "-t", "30", "-o", options, "start")
