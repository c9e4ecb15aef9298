"""`scalechat serve | migrate | simulate | config`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import os
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from scalechat.settings import Settings, SettingsError, load_settings


def _fail(message: str) -> int:
    sys.stderr.write(f"scalechat: {message}\n")
    return 2


def _serve(settings: Settings, host: str, port: int) -> int:
    settings.check_can_serve_on(host)  # before the slow imports: refuse at once

    import uvicorn

    from scalechat.app import begin_shutdown, create_app
    from scalechat.store.sql.migrate import MigrationFailed, migrate
    from scalechat.telemetry import configure_logging

    configure_logging(settings.log_level)
    # Every instance brings the SQL database up to date on start (on PostgreSQL one at a time,
    # under an advisory lock), unless it does not use one.
    if settings.conversation_backend == "sql" or settings.promptlog_sink == "sql":
        try:
            migrate(settings)
        except MigrationFailed as exc:
            return _fail(str(exc))
    if settings.conversation_backend == "cosmos" or settings.promptlog_sink == "cosmos":
        from scalechat.promptlog.sinks.cosmos import chat_log_spec
        from scalechat.store.cosmos import prepare_cosmos
        from scalechat.store.cosmos.client import CosmosUnreachable

        # Missing or mismatched containers: one line now (CosmosSetupError), not a lifespan traceback.
        chat_log = [chat_log_spec(settings.promptlog.retention_days)] if settings.promptlog_sink == "cosmos" else []
        try:
            asyncio.run(prepare_cosmos(settings, chat_log))
        except CosmosUnreachable as exc:
            if settings.conversation_backend == "cosmos":
                raise
            # Only the prompt log is there: chats must not wait for it. Its records wait in the outbox.
            logging.getLogger("scalechat.cli").warning("promptlog.sink_unreachable_at_start", extra={"error": str(exc)})
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


def _users(settings: Settings, args: argparse.Namespace) -> int:
    from scalechat.operations import erase_user, export_user

    if args.users_command == "export":
        return asyncio.run(export_user(settings, args.user_id, args.output))
    if not args.yes:
        if not sys.stdin.isatty():
            return _fail("refusing to erase a user without --yes when not asked at a terminal")
        sys.stderr.write(f"Erase everything kept about {args.user_id}? This cannot be undone. Type the id again: ")
        if input().strip() != args.user_id:
            return _fail("the id did not match; nothing was erased")
    return asyncio.run(erase_user(settings, args.user_id))


def since_argument(text: str) -> datetime:
    """A date (2026-11-01) or an ISO time; without an offset, UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date or ISO time: {text!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


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
    users = commands.add_parser("users", help="data-subject requests: one user's data exported or erased")
    user_commands = users.add_subparsers(dest="users_command", required=True)
    user_export = user_commands.add_parser("export", help="everything kept about one user, as JSON")
    user_export.add_argument("user_id", help="the user's id (Entra object id, `oid`; local-user in local mode)")
    user_export.add_argument("--output", "-o", type=Path, default=None, help="file to write; default: stdout")
    user_delete = user_commands.add_parser(
        "delete", help="erase one user's conversations, presets, prompt-log records, profile and sessions"
    )
    user_delete.add_argument("user_id")
    user_delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    promptlog = commands.add_parser("promptlog", help="the prompt log for analytics")
    promptlog_commands = promptlog.add_subparsers(dest="promptlog_command", required=True)
    promptlog_export = promptlog_commands.add_parser("export", help="records of a time range, for analysts")
    promptlog_export.add_argument("--since", required=True, type=since_argument, help="2026-11-01 or an ISO time")
    promptlog_export.add_argument("--until", type=since_argument, default=None, help="exclusive; default: now")
    promptlog_export.add_argument("--format", choices=["jsonl", "parquet"], default="jsonl")
    promptlog_export.add_argument("--output", "-o", type=Path, default=None, help="file; default: stdout (jsonl)")
    commands.add_parser("openapi", help="print the OpenAPI document (the web app's client is generated from it)")
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
        if args.command == "serve":
            return _serve(settings, args.host or settings.host, args.port or settings.port)
        if args.command == "migrate":
            from scalechat.store.sql.migrate import MigrationFailed, migrate

            try:
                migrate(settings)
            except MigrationFailed as exc:
                return _fail(str(exc))
            sys.stdout.write(f"migrated {settings.masked()['database_url']}\n")
            return 0
        if args.command == "users":
            return _users(settings, args)
        if args.command == "promptlog":
            from scalechat.operations import export_prompt_log

            return asyncio.run(
                export_prompt_log(settings, since=args.since, until=args.until, fmt=args.format, output=args.output)
            )
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
