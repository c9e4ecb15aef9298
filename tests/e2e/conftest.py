"""Browser tests: Debian's Chromium driven by Playwright, against a real scalechat process
(SQLite + the simulator) serving the built web app. Nothing in the API is mocked.

The build is `src/scalechat/static` (`make web`), or the folder in SCALECHAT_WEB_DIR.
Screenshots go to `test-artifacts/screenshots/`.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, sync_playwright

from tests.support import ServerProcess, running_server, stream

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]


AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page as it is now.

    axe is evaluated through the DevTools protocol, which the page's CSP does not apply to;
    the app itself never runs inline script.
    """
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make web-setup`")
    page.evaluate(AXE.read_text() + "\n;undefined")
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, { resultTypes: ["violations"] });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
            }));
        }"""
    )
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def web_build_dir() -> Path:
    configured = os.environ.get("SCALECHAT_WEB_DIR")
    directory = Path(configured) if configured else ROOT / "src" / "scalechat" / "static"
    if not (directory / "index.html").is_file():
        pytest.fail(f"no web app build in {directory}: run `make web` first")
    return directory


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A fresh server (and so an empty history) per test module."""
    with running_server(tmp_path_factory.mktemp("e2e"), SCALECHAT_WEB_DIR=str(web_build_dir())) as process:
        yield process


# Module scope, not session: Playwright's sync API keeps an event loop running while it is
# open, which would break the asyncio tests collected after the browser tests.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium (.ci/run installs it)")
    instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield instance
    instance.close()


def new_context(browser: Browser, server: ServerProcess, **options: object) -> BrowserContext:
    settings: dict[str, object] = {
        "base_url": server.url,
        "viewport": {"width": 1280, "height": 800},
        "locale": "en-US",
        "color_scheme": "light",
        **options,
    }
    context = browser.new_context(**settings)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def context(browser: Browser, app_server: ServerProcess) -> Iterator[BrowserContext]:
    ctx = new_context(browser, app_server)
    yield ctx
    ctx.close()


def watch_errors(tab: Page, *, expected_statuses: tuple[int, ...] = ()) -> list[str]:
    """Collect the page's uncaught errors and console errors as they happen.

    Chromium logs every failed request as a console error; a test that provokes one on
    purpose names its status in `expected_statuses`.
    """
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        if any(f"status of {status}" in message.text for status in expected_statuses):
            return
        errors.append(f"console: {message.text}")

    tab.on("console", on_console)
    return errors


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A page on the app whose uncaught errors fail the test."""
    tab = context.new_page()
    errors = watch_errors(tab)
    yield tab
    assert not errors, "the page reported errors:\n" + "\n".join(errors)


@pytest.fixture(scope="module")
def api(app_server: ServerProcess) -> Iterator[httpx.Client]:
    """The same server's API, for seeding data and checking what was stored."""
    with httpx.Client(base_url=app_server.url, timeout=120) as client:
        yield client


def create_conversation(api: httpx.Client, **body: Any) -> str:
    response = api.post("/api/conversations", json=body)
    assert response.status_code == 201, response.text
    conversation_id: str = response.json()["id"]
    return conversation_id


def ask(api: httpx.Client, conversation_id: str, question: str) -> None:
    """Ask, and read the answer's stream to its end: the answer is then stored."""
    events = stream(api, "POST", f"/api/conversations/{conversation_id}/messages", json={"content": question})
    assert events[-1][0] == "done", events[-1]


def wait_for(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll `check` until it returns something truthy; fail with its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting; last value: {value!r}")
        time.sleep(0.1)


def record_timing(path: Path, name: str, value: Any) -> None:
    """Keep a measurement in a JSON artifact and print it: timings are reported, never asserted."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(path.read_text()) if path.exists() else {}
    data[name] = value
    path.write_text(json.dumps(data, indent=2) + "\n")
    print(f"\n[timing] {name}: {value}")


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as a test artifact and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
