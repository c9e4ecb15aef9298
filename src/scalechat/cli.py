"""`scalechat serve | migrate | simulate | config`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import signal
import sys
import threading
import time
from types import FrameType

from scalechat.settings import Settings, SettingsError, load_settings


def _fail(message: str) -> int:
    sys.stderr.write(f"scalechat: {message}\n")
    return 2


def _serve(settings: Settings, host: str, port: int) -> int:
    settings.check_can_serve_on(host)  # before the slow imports: refuse at once

    import uvicorn

    from scalechat.app import begin_shutdown, create_app
    from scalechat.store.sql.migrate import upgrade
    from scalechat.telemetry import configure_logging

    configure_logging(settings.log_level)
    if settings.is_embedded_database:
        upgrade(settings.effective_database_url)
    app = create_app(settings)

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            # Runs as a signal handler on the loop's thread: hand the work to the loop.
            with contextlib.suppress(RuntimeError):
                asyncio.get_running_loop().call_soon_threadsafe(begin_shutdown, app)
            super().handle_exit(sig, frame)

    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        # Generations get the grace period, then a few seconds to store their end and tell clients.
        timeout_graceful_shutdown=math.ceil(settings.shutdown_grace_seconds) + 5,
        proxy_headers=False,
    )
    Server(config).run()
    return 0


def _exit_with_parent(parent_pid: int) -> None:
    """A child simulator must not outlive a server that was killed (SIGKILL runs no clean-up)."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _simulate(settings: Settings, host: str, port: int, parent_pid: int | None) -> int:
    import uvicorn

    if parent_pid is not None:
        _exit_with_parent(parent_pid)

    from scalechat.simulator import Behaviour, create_simulator_app

    sim = settings.simulator
    defaults = Behaviour(first_token_ms=sim.first_token_ms, chunk_interval_ms=sim.chunk_interval_ms, chunks=sim.chunks)
    uvicorn.run(create_simulator_app(defaults), host=host, port=port, log_level="warning", access_log=False)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scalechat", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the web app and API")
    serve.add_argument("--host", default=None, help="default: SCALECHAT_HOST or 127.0.0.1")
    serve.add_argument("--port", type=int, default=None, help="default: SCALECHAT_PORT or 8000")
    commands.add_parser("migrate", help="apply database migrations")
    simulate = commands.add_parser("simulate", help="serve the simulated OpenAI-compatible model")
    simulate.add_argument("--host", default="127.0.0.1")
    simulate.add_argument("--port", type=int, default=8001)
    simulate.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)
    commands.add_parser("config", help="print the effective settings, secrets masked")
    commands.add_parser("openapi", help="print the OpenAPI document (the web app's client is generated from it)")
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
        if args.command == "serve":
            return _serve(settings, args.host or settings.host, args.port or settings.port)
        if args.command == "migrate":
            from scalechat.store.sql.migrate import upgrade

            upgrade(settings.effective_database_url)
            sys.stdout.write(f"migrated {settings.masked()['database_url']}\n")
            return 0
        if args.command == "simulate":
            return _simulate(settings, args.host, args.port, args.parent_pid)
        if args.command == "openapi":
            from scalechat.app import create_app

            sys.stdout.write(json.dumps(create_app(settings).openapi(), indent=2, sort_keys=True) + "\n")
            return 0
        sys.stdout.write(json.dumps(settings.masked(), indent=2) + "\n")
        return 0
    except SettingsError as exc:
        return _fail(str(exc))
