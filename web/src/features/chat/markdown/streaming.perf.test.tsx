// How much a streamed frame costs: a 16 KB answer (about 4,000 tokens) growing in 4,000
// steps, rendered through <Markdown streaming> as the chat does, against re-parsing and
// re-sanitising the whole text each frame. Reports the numbers; asserts no timing (jsdom
// is slower than a browser, and a timing goal belongs in bench/, not in a test).
//
// Opt-in, as it takes a minute and jsdom holds on to every document DOMPurify parses:
//   MD_PERF=1 npx vitest run src/features/chat/markdown/streaming.perf
import { describe, expect, it } from "vitest";
import { lex, renderBlock } from "./render";
import { mountMarkdown } from "./testing";

// Vitest puts the process environment in import.meta.env.
const env = import.meta.env as Record<string, string | undefined>;
const STEPS = Number(env.MD_STEPS ?? 4000);

/** A long answer shaped like a model's: headings, prose, lists, tables and code. */
function longAnswer(targetChars = 16_000): string {
  const sections: string[] = [];
  for (let i = 1; sections.join("\n\n").length < targetChars; i++) {
    sections.push(
      `## ${i}. Section about topic ${i}`,
      `This paragraph explains part ${i} with **bold words**, *emphasis*, \`inline code\` and a [link](https://example.com/${i}). ` +
        "It goes on for a while, as answers do, so that paragraphs have a realistic length for a chat reply.",
      `- First point of section ${i}\n- Second point with \`code\`\n  - a nested point\n- Third point`,
      "```python\n" + `def step_${i}(value: int) -> int:\n    \"\"\"Step ${i}.\"\"\"\n    return value * ${i} + 1\n` + "```",
      `| Item | Count |\n|---|---:|\n| apples | ${i} |\n| pears | ${i * 2} |`,
    );
  }
  return sections.join("\n\n").slice(0, targetChars);
}

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
  return `mean ${mean.toFixed(2)} ms, p50 ${at(0.5).toFixed(2)}, p95 ${at(0.95).toFixed(2)}, max ${at(1).toFixed(2)}`;
}

describe.runIf(Boolean(env.MD_PERF))("streaming cost", () => {
  it("renders a 16 KB answer growing in 4,000 steps", () => {
    const text = longAnswer();
    const step = text.length / STEPS;

    const mounted = mountMarkdown("", true);
    const frames: number[] = [];
    for (let i = 1; i <= STEPS; i++) {
      const prefix = text.slice(0, Math.round(i * step));
      const started = performance.now();
      mounted.update(prefix, true);
      frames.push(performance.now() - started);
    }
    const finishStarted = performance.now();
    mounted.update(text, false);
    const finish = performance.now() - finishStarted;
    expect(mounted.container.querySelectorAll("[data-md-codeblock]").length).toBeGreaterThan(10);
    mounted.unmount();

    // The naive way, for comparison: the whole text parsed, sanitised and set every frame.
    const host = document.createElement("div");
    const naive: number[] = [];
    for (let i = 1; i <= STEPS; i += Math.max(1, Math.floor(STEPS / 100))) {
      const prefix = text.slice(0, Math.round(i * step));
      const started = performance.now();
      host.innerHTML = lex(prefix)
        .map((token) => renderBlock(token).html)
        .join("");
      naive.push(performance.now() - started);
    }

    console.info(
      [
        `markdown streaming, ${text.length} chars in ${STEPS} steps (jsdom):`,
        `  <Markdown streaming> per frame: ${stats(frames)}`,
        `  final render (streaming=false): ${finish.toFixed(2)} ms`,
        `  naive full re-render per frame (100 samples): ${stats(naive)}`,
      ].join("\n"),
    );
  }, 120_000);
});
