"""`create_app(settings)`: the FastAPI app, and the lifespan that owns every engine, client and task."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from scalechat import __version__
from scalechat.api import auth, config, conversations, health, me, messages, models, presets
from scalechat.api.deps import Services
from scalechat.api.middleware import RequestContextMiddleware
from scalechat.api.problems import install_problem_handlers
from scalechat.api.schemas import Problem
from scalechat.api.security import ForwardedHeadersMiddleware, LoopbackHostMiddleware, SameOriginMiddleware
from scalechat.api.web import STATIC_DIR, mount_web_app
from scalechat.auth.authenticator import Authenticator
from scalechat.domain import INTERRUPTED_DETAIL
from scalechat.llm import tokens
from scalechat.llm.catalog import build_catalog
from scalechat.promptlog import open_prompt_log
from scalechat.services.chat import ChatService
from scalechat.services.conversations import ConversationService
from scalechat.services.generations import GenerationManager
from scalechat.settings import Settings
from scalechat.simulator.process import SimulatorProcess
from scalechat.store.factory import open_backend

log = logging.getLogger(__name__)

GC_YOUNG_THRESHOLD = 20_000  # CPython's default is 700

# How long shutdown may spend sending the prompt log's queue to its sink; the rest waits
# in the outbox for the next start.
PROMPTLOG_DRAIN_SECONDS = 10.0


def _lifespan(settings: Settings):  # type: ignore[no-untyped-def]
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        backend = await open_backend(settings)
        store = backend.store
        authenticator = Authenticator(settings, backend.identity)
        await authenticator.warm_up()
        interrupted = await store.interrupt_streaming(INTERRUPTED_DETAIL)
        if interrupted:
            log.warning("startup.interrupted_answers", extra={"count": interrupted})
        simulator: SimulatorProcess | None = None
        simulator_url = settings.simulator.url
        if settings.provider == "simulator" and simulator_url is None:
            simulator = SimulatorProcess()
            await simulator.start()
            simulator_url = simulator.url
        catalog = build_catalog(settings, simulator_url)
        tokens.warm_up()
        prompt_log = open_prompt_log(settings, shared=backend)
        if prompt_log is not None:
            await prompt_log.start()
        app.state.prompt_log = prompt_log
        generations = GenerationManager(
            store, checkpoint_interval=settings.checkpoint_interval_seconds, prompt_log=prompt_log
        )
        await generations.start_background()
        app.state.services = Services(
            settings=settings,
            store=store,
            catalog=catalog,
            generations=generations,
            conversations=ConversationService(store, catalog, generations, settings),
            chat=ChatService(store, catalog, generations, settings),
            authenticator=authenticator,
        )
        purging = asyncio.create_task(_purge_sessions(authenticator), name="purge-sessions")
        # Start-up objects live for the whole process: keep full collections from walking them
        # (a gen-2 collection stalls every stream in flight; see the streaming notes).
        gc.collect()
        gc.freeze()
        # Streaming allocates many short-lived objects: collect the young generation less often.
        gc.set_threshold(GC_YOUNG_THRESHOLD, 20, 20)
        log.info(
            "startup.ready",
            extra={"version": __version__, "provider": settings.provider, "model": catalog.default_id},
        )
        try:
            yield
        finally:
            purging.cancel()
            await generations.shutdown(settings.shutdown_grace_seconds)
            if prompt_log is not None:  # after the answers' ends: interrupted ones are logged too
                await prompt_log.close(PROMPTLOG_DRAIN_SECONDS)
            await authenticator.aclose()
            await catalog.aclose()
            await store.aclose()
            if simulator is not None:
                await simulator.stop()
            log.info("shutdown.done")

    return lifespan


SESSION_PURGE_INTERVAL_SECONDS = 900


async def _purge_sessions(authenticator: Authenticator) -> None:
    """Remove ended sessions now and then (a session is also refused the moment it ends)."""
    if authenticator.sessions is None:
        return
    while True:
        try:
            purged = await authenticator.sessions.purge()
            if purged:
                log.info("auth.sessions_purged", extra={"count": purged})
        except Exception:
            log.exception("auth.session_purge_failed")
        await asyncio.sleep(SESSION_PURGE_INTERVAL_SECONDS)


def begin_shutdown(app: FastAPI) -> None:
    """Called on SIGTERM/SIGINT, before the server waits for open connections.

    Draining starts now, not after the connections close: a client following an
    answer gets the answer's end (or `interrupted`) instead of a cut connection.
    """
    services: Services | None = getattr(app.state, "services", None)
    if services is not None:
        services.generations.begin_shutdown(services.settings.shutdown_grace_seconds)


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(
        title="scalechat",
        version=__version__,
        description="Enterprise chat in front of Azure OpenAI.",
        lifespan=_lifespan(settings),
        responses={
            "4XX": {"model": Problem, "content": {"application/problem+json": {}}},
            "5XX": {"model": Problem, "content": {"application/problem+json": {}}},
        },
    )
    install_problem_handlers(app)
    for router in (
        auth.router,
        config.router,
        conversations.router,
        messages.router,
        presets.router,
        me.router,
        models.router,
        health.router,
    ):
        app.include_router(router)
    mount_web_app(app, settings.web_dir or STATIC_DIR)
    # Room for the longest question and system prompt in UTF-8, plus the JSON around them.
    max_body = 4 * (settings.max_content_chars + settings.max_system_prompt_chars) + 64 * 1024
    # Errors raised inside reach this middleware before Starlette's outermost error handler,
    # so it answers them itself, with the request id (see middleware.py).
    # Added innermost first. Refusals by these two still get the request id, the security headers
    # and an access-log line from RequestContextMiddleware around them.
    app.add_middleware(SameOriginMiddleware, public_url=settings.public_url)
    if settings.auth_mode == "local":
        app.add_middleware(LoopbackHostMiddleware)
    https = (settings.public_url or "").startswith("https://")
    app.add_middleware(RequestContextMiddleware, max_body_bytes=max_body, hsts=https)
    # Outermost: every layer inside sees the scheme and host the user's browser used.
    app.add_middleware(ForwardedHeadersMiddleware, trusted=settings.forwarded_allow_ips)
    return app
