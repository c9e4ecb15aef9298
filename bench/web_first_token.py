"""Click Send to first token painted, in headless Chromium, with the simulator's first-token delay at 0.

Starts `scalechat serve` (SQLite, the simulator as its child, the built web app) and Debian's
Chromium through Playwright. Each trial types a question, clicks Send, and times inside the page:
from the click event (a capture listener on the Send button) to the first animation frame
after the answer's first text is in the DOM (a MutationObserver on the message log; the
frame's requestAnimationFrame callback runs just before that frame is painted).

Two cases: asking in a new chat (the first send also creates the conversation) and a
follow-up in an existing one.

    .venv/bin/python bench/web_first_token.py                # 30 trials per case
    .venv/bin/python bench/web_first_token.py --trials 50 --json out.json
    .venv/bin/python bench/web_first_token.py --dir /tmp/web # another build
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.support import running_server  # noqa: E402

GOAL_MS = 100.0

# Installed once per page: resolves window.__firstToken() with the ms from the Send click
# to the frame that first shows text in an answer that was not there before the click.
INSTRUMENT = """
() => {
  window.__firstToken = () => new Promise((resolve) => {
    const log = document.querySelector('[role="log"]') || document.body;
    const before = new Set([...document.querySelectorAll('article[data-role="assistant"]')]
      .map((a) => a.getAttribute('data-message-id')));
    let clickedAt = null;
    const send = document.querySelector('button[aria-label="Send"]')
      || [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Send');
    send.addEventListener('click', () => { clickedAt = performance.now(); }, { capture: true, once: true });
    const check = () => {
      for (const article of document.querySelectorAll('article[data-role="assistant"]')) {
        const id = article.getAttribute('data-message-id');
        if (before.has(id)) continue;
        if ((article.innerText || '').includes('Simulated')) {
          observer.disconnect();
          requestAnimationFrame(() => resolve(performance.now() - clickedAt));
          return;
        }
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}
"""


def trial(page: Page, question: str) -> float:
    page.evaluate(INSTRUMENT)
    page.get_by_role("textbox", name="Message").fill(question)
    page.evaluate("() => { window.__pending = window.__firstToken(); }")
    page.get_by_role("button", name="Send", exact=True).click()
    elapsed = float(page.evaluate("() => window.__pending"))
    # Wait for the answer to finish before the next trial.
    page.get_by_role("button", name="Send", exact=True).wait_for(state="visible", timeout=30_000)
    page.wait_for_function(
        '() => !document.querySelector(\'article[data-role="assistant"][data-status="streaming"]\')',
        timeout=30_000,
    )
    return elapsed


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 1),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))], 1),
        "min_ms": round(ordered[0], 1),
        "max_ms": round(ordered[-1], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=ROOT / "src" / "scalechat" / "static")
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if not (args.dir / "index.html").is_file():
        sys.stderr.write(f"no build in {args.dir}: run `make web`\n")
        return 2
    env = {
        "SCALECHAT_WEB_DIR": str(args.dir),
        "SIMULATOR_FIRST_TOKEN_MS": "0",
        "SIMULATOR_CHUNK_INTERVAL_MS": "5",
        "SIMULATOR_CHUNKS": "20",
        "LOG_LEVEL": "WARNING",
    }
    results: dict[str, object] = {"goal_median_ms": GOAL_MS, "trials": args.trials}
    with tempfile.TemporaryDirectory() as data, running_server(Path(data), **env) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 800})
        page = context.new_page()
        # Warm up: load the app and its lazy chunks once, as a returning user's browser has them.
        page.goto("/")
        trial(page, "warm-up")

        new_chat: list[float] = []
        for i in range(args.trials):
            page.goto("/")
            page.get_by_role("textbox", name="Message").wait_for()
            new_chat.append(trial(page, f"new chat question {i}"))

        follow_up: list[float] = []
        for i in range(args.trials):
            follow_up.append(trial(page, f"follow-up question {i}"))
        browser.close()
    results["new_chat"] = summary(new_chat)
    results["follow_up"] = summary(follow_up)
    results["samples"] = {"new_chat": new_chat, "follow_up": follow_up}
    out = sys.stdout
    out.write(f"click Send -> first token painted (simulator first-token delay 0), goal median <= {GOAL_MS:.0f} ms\n")
    for case in ("new_chat", "follow_up"):
        s = results[case]
        assert isinstance(s, dict)
        out.write(
            f"  {case:<10} n={s['n']:<3} median {s['median_ms']:6.1f} ms  p90 {s['p90_ms']:6.1f}  "
            f"min {s['min_ms']:6.1f}  max {s['max_ms']:6.1f}\n"
        )
    target = args.json or ROOT / "bench" / "results" / f"web-first-token-{time.strftime('%Y%m%d-%H%M%S')}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results, indent=2))
    out.write(f"results: {target}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
