"""A throwaway PostgreSQL server for the tests and benchmarks (see docs/notes/storage-spike.md §1).

    PostgresServer()          initdb into a fresh folder under /tmp, pg_ctl start on a free port
    server.url(db)            postgresql+asyncpg://postgres@127.0.0.1:PORT/db
    server.create_database(name, template=None)
    server.migrated_template()    `scalechat migrate` once into a template database; returns its name
    running_postgres()        the same as a context manager, for scripts (bench/)
    postgres                  session fixture: a running PostgresServer
    postgres_url              fixture: a fresh database cloned from the migrated template, per test

The cluster trusts every local connection and runs with fsync off: fast, and only for tests.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import clean_env, free_port

TEMPLATE = "scalechat_migrated"


def _bindir() -> Path:
    """Debian keeps initdb and pg_ctl off PATH: ask pg_config (libpq-dev), else look where the packages put them."""
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        found = Path(subprocess.check_output(["pg_config", "--bindir"], text=True).strip())
        if (found / "initdb").exists():
            return found
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise RuntimeError("PostgreSQL is not installed (no initdb): apt-get install postgresql, or run .ci/run")


def _as_postgres() -> str | None:
    # The server refuses to run as root; subprocess can switch user itself (no sudo/runuser needed).
    return "postgres" if os.geteuid() == 0 else None


class PostgresServer:
    def __init__(self, tls: tuple[Path, Path] | None = None) -> None:
        """`tls`: a certificate and its key (PEM) to serve TLS with; None: plain TCP only."""
        self.tls = tls
        self.bindir = _bindir()
        self.root: Path | None = None
        self.port = 0
        self._template: str | None = None
        self._lock = threading.Lock()

    def _run(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                [str(a) for a in args], user=_as_postgres(), check=True, capture_output=True, text=True
            )
        except subprocess.CalledProcessError as exc:
            raise RuntimeError(
                f"{Path(str(args[0])).name} failed: {exc.stderr.strip() or exc.stdout.strip()}"
            ) from None

    def start(self) -> None:
        # Not under pytest's tmp_path: /tmp/pytest-of-root is 0700, and the server runs as postgres.
        self.root = Path(tempfile.mkdtemp(prefix="pgtest-", dir="/tmp"))
        if _as_postgres():
            shutil.chown(self.root, "postgres")
        data, sock = self.root / "data", self.root / "sock"
        self._run(
            self.bindir / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync", "--no-instructions",
        )  # fmt: skip
        self._run("mkdir", sock)  # as postgres: the server writes its socket here (not /var/run/postgresql)
        self.port = free_port()
        options = (
            f"-p {self.port} -h 127.0.0.1 -k {sock} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=300"
        )
        if self.tls is not None:
            # The server reads its key only if postgres owns it and nobody else may read it.
            for source, name in zip(self.tls, ("server.crt", "server.key"), strict=True):
                shutil.copy(source, data / name)
                (data / name).chmod(0o600)
                if _as_postgres():
                    shutil.chown(data / name, "postgres")
            options += " -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key"
        try:
            self._run(
                self.bindir / "pg_ctl", "-D", data, "-l", self.root / "pg.log", "-w", "-t", "30", "-o", options, "start"
            )
        except RuntimeError:
            log = (self.root / "pg.log").read_text(errors="replace")[-2000:] if (self.root / "pg.log").exists() else ""
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None
            raise RuntimeError(f"PostgreSQL did not start on port {self.port}: {log}") from None

    def stop(self) -> None:
        if self.root is None:
            return
        with contextlib.suppress(RuntimeError):
            self._run(self.bindir / "pg_ctl", "-D", self.root / "data", "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def url(self, db: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{db}"

    def psql(self, sql: str, db: str = "postgres") -> str:
        """Run SQL as the superuser; the output is unaligned, tuples only."""
        psql = self.bindir / "psql"
        connect = ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", db]
        result = subprocess.run(
            [str(psql), *connect, "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr.strip()}")
        return result.stdout.strip()

    def require_password(self, role: str) -> None:
        """Make `role` (which must exist) sign in with its password over TCP; everyone else stays trusted."""
        assert self.root is not None
        hba = self.root / "data" / "pg_hba.conf"
        hba.write_text(f"host all {role} all scram-sha-256\n" + hba.read_text())  # the first match wins
        self.psql("SELECT pg_reload_conf()")
        # The reload is a signal, handled a moment later: wait until a wrong password is refused.
        deadline = time.monotonic() + 10
        probe = [str(self.bindir / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", role, "-d", "postgres"]
        env = {**os.environ, "PGPASSWORD": "not-" + uuid.uuid4().hex}
        while subprocess.run([*probe, "-c", "SELECT 1"], env=env, capture_output=True).returncode == 0:
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL still trusts {role} after a reload")
            time.sleep(0.02)

    def create_database(self, name: str, template: str | None = None) -> str:
        """An empty database, or a copy of `template` (which nobody may be connected to)."""
        clause = f' TEMPLATE "{template}"' if template else ""
        self.psql(f'CREATE DATABASE "{name}"{clause}')
        return name

    def migrated_template(self) -> str:
        """A database with every migration applied (by `scalechat migrate`, as an operator would), made once."""
        with self._lock:
            if self._template is None:
                self.create_database(TEMPLATE)
                result = subprocess.run(
                    [sys.executable, "-m", "scalechat", "migrate"],
                    env=clean_env({"DATABASE_URL": self.url(TEMPLATE)}),
                    capture_output=True,
                    text=True,
                )
                if result.returncode != 0:
                    raise RuntimeError(f"scalechat migrate failed: {result.stderr[-3000:]}")
                self._template = TEMPLATE
            return self._template

    def fresh_database(self, prefix: str = "t") -> str:
        """A new database cloned from the migrated template (about 65 ms)."""
        return self.create_database(f"{prefix}_{uuid.uuid4().hex[:12]}", template=self.migrated_template())


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with running_postgres() as server:
        yield server


@pytest.fixture
def postgres_url(postgres: PostgresServer) -> str:
    """A database of its own for one test, migrated (a copy of the template)."""
    return postgres.url(postgres.fresh_database())
