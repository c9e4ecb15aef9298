import { act } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_HIGHLIGHT_CHARS } from "./CodeBlock";
import { pacingClock } from "./pacing";
import { mountMarkdown, type Mounted } from "./testing";

let mounted: Mounted | null = null;
afterEach(() => {
  mounted?.unmount();
  mounted = null;
  vi.restoreAllMocks();
});

/** Let dynamic imports (the highlighter) settle. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
    });
    if (!mounted?.container.querySelector("pre code:not(.hljs)")) return;
  }
}

function codeBlocks(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>("[data-md-codeblock]"));
}

describe("<Markdown>", () => {
  it("renders GitHub-flavoured markdown", () => {
    mounted = mountMarkdown(
      [
        "## Title",
        "Some *emphasis*, **strong**, ~~struck~~ and `inline code`.",
        "| Name | Value |\n|---|--:|\n| a | 1 |\n| b | 2 |",
        "- [x] done\n- [ ] to do",
        "> quoted",
        "Visit https://example.com/page now.",
      ].join("\n\n"),
    );
    const root = mounted.container;
    expect(root.querySelector("h2")?.textContent).toBe("Title");
    expect(root.querySelector("em")?.textContent).toBe("emphasis");
    expect(root.querySelector("del")?.textContent).toBe("struck");
    expect(root.querySelector("p code")?.textContent).toBe("inline code");
    const table = root.querySelector(".md-table > table")!;
    expect(Array.from(table.querySelectorAll("th")).map((cell) => cell.textContent)).toEqual(["Name", "Value"]);
    expect(table.querySelectorAll("tbody tr")).toHaveLength(2);
    expect(table.querySelector("td[align=right]")?.textContent).toBe("1");
    const boxes = Array.from(root.querySelectorAll<HTMLInputElement>("li > input[type=checkbox]"));
    expect(boxes.map((box) => [box.checked, box.disabled])).toEqual([
      [true, true],
      [false, true],
    ]);
    expect(root.querySelector("blockquote")?.textContent?.trim()).toBe("quoted");
    const link = root.querySelector("a")!;
    expect(link.getAttribute("href")).toBe("https://example.com/page");
    expect(link.getAttribute("target")).toBe("_blank");
    expect(link.getAttribute("rel")).toBe("noopener noreferrer");
  });

  it("keeps the line breaks a person typed", () => {
    mounted = mountMarkdown("first line\nsecond line");
    expect(mounted.container.querySelector("p br")).not.toBeNull();
  });

  it("does not load remote images: they become links", () => {
    mounted = mountMarkdown("![diagram](https://images.example/d.png) and ![](/local.png)");
    expect(mounted.container.querySelector("img")).toBeNull();
    const links = Array.from(mounted.container.querySelectorAll("a.md-image"));
    expect(links.map((link) => [link.getAttribute("href"), link.textContent])).toEqual([
      ["https://images.example/d.png", "diagram"],
      ["/local.png", "/local.png"],
    ]);
  });

  it("renders a code block with its language, a copy button and highlighting", async () => {
    mounted = mountMarkdown("```python\ndef f(x):\n    return x + 1\n```");
    const [block] = codeBlocks(mounted.container);
    expect(block).toBeDefined();
    expect(block!.textContent).toContain("python");
    const button = block!.querySelector("button")!;
    expect(button.getAttribute("aria-label")).toBe("Copy code");
    expect(button.textContent).toBe("Copy");
    await settle();
    const code = block!.querySelector("pre code")!;
    expect(code.classList.contains("hljs")).toBe(true);
    expect(code.querySelector(".hljs-keyword")?.textContent).toBe("def");
    expect(code.textContent).toBe("def f(x):\n    return x + 1");
  });

  it("copies the code and says so", async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    Object.defineProperty(window, "isSecureContext", { value: true, configurable: true });
    mounted = mountMarkdown("```\nnpm install\n```");
    const button = mounted.container.querySelector("button")!;
    await act(async () => {
      button.click();
    });
    expect(writeText).toHaveBeenCalledWith("npm install");
    expect(button.textContent).toBe("Copied");
    expect(mounted.container.querySelector("[role=status]")?.textContent).toBe("Copied");
  });

  it("falls back to execCommand without the async clipboard", async () => {
    Object.defineProperty(navigator, "clipboard", { value: undefined, configurable: true });
    const execCommand = vi.fn(() => true);
    Object.defineProperty(document, "execCommand", { value: execCommand, configurable: true });
    mounted = mountMarkdown("```\necho hi\n```");
    const button = mounted.container.querySelector("button")!;
    await act(async () => {
      button.click();
    });
    expect(execCommand).toHaveBeenCalledWith("copy");
    expect(button.textContent).toBe("Copied");
  });

  it("renders code blocks inside lists as code blocks too", () => {
    mounted = mountMarkdown("1. Install:\n\n   ```bash\n   npm i\n   ```\n2. Run it.");
    const [block] = codeBlocks(mounted.container);
    expect(block?.closest("li")).not.toBeNull();
    expect(block?.querySelector("pre")?.textContent).toBe("npm i");
    expect(block?.querySelector("button")?.getAttribute("aria-label")).toBe("Copy code");
  });

  it("shows an unfinished fence while streaming as an open code block, highlighted once it closes", async () => {
    mounted = mountMarkdown("Here:\n\n```js\nconst a = 1;\nconst b", true);
    let [block] = codeBlocks(mounted.container);
    expect(block?.querySelector("pre")?.textContent).toBe("const a = 1;\nconst b");
    await settle();
    expect(block?.querySelector("code.hljs")).toBeNull();

    mounted.update("Here:\n\n```js\nconst a = 1;\nconst b = 2;\n```\n\nAnd", true);
    await settle();
    [block] = codeBlocks(mounted.container);
    expect(block?.querySelector("code.hljs .hljs-keyword")?.textContent).toBe("const");
    expect(mounted.container.textContent).toContain("And");
  });

  it("highlights a nested code block once its fence closes or the answer is done", async () => {
    const open = "- step\n\n  ```python\n  x = 1";
    mounted = mountMarkdown(open, true);
    await settle();
    expect(mounted.container.querySelector("code.hljs")).toBeNull();
    mounted.update(open, false);
    await settle();
    expect(mounted.container.querySelector("code.hljs")).not.toBeNull();
    mounted.unmount();

    mounted = mountMarkdown("- step\n\n  ```python\n  y = 2\n  ```\n- next", true);
    await settle();
    expect(mounted.container.querySelector("code.hljs")?.textContent).toBe("y = 2");
  });

  it("does not highlight huge code blocks", async () => {
    const code = "x = 1\n".repeat(Math.ceil(MAX_HIGHLIGHT_CHARS / 6) + 10);
    mounted = mountMarkdown("```python\n" + code + "```");
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    const [block] = codeBlocks(mounted.container);
    expect(block?.querySelector("code.hljs")).toBeNull();
    expect(block?.querySelector("pre")?.textContent?.length).toBe(code.length - 1);
  });

  it("leaves code in an unknown language plain", async () => {
    mounted = mountMarkdown("```brainfudge\n+++\n```");
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    expect(mounted.container.querySelector("code.hljs")).toBeNull();
    expect(mounted.container.textContent).toContain("brainfudge");
  });

  it("spaces out updates that are expensive, then catches up", async () => {
    // A clock on which every rendering step takes 10 ms.
    let clock = 0;
    vi.spyOn(pacingClock, "now").mockImplementation(() => (clock += 10));
    mounted = mountMarkdown("Growing paragraph", true);
    mounted.update("Growing paragraph that", true);
    expect(mounted.container.textContent?.trim()).toBe("Growing paragraph");
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 60));
    });
    expect(mounted.container.textContent?.trim()).toBe("Growing paragraph that");
    mounted.update("Growing paragraph that ends", true);
    mounted.update("Growing paragraph that ends here.", false);
    expect(mounted.container.textContent?.trim()).toBe("Growing paragraph that ends here.");
  });

  it("keeps finished blocks' DOM while the answer grows", () => {
    mounted = mountMarkdown("First paragraph.\n\nSecond paragraph.\n\nThird", true);
    const first = mounted.container.querySelector("p");
    mounted.update("First paragraph.\n\nSecond paragraph.\n\nThird paragraph.\n\nFourth", true);
    mounted.update("First paragraph.\n\nSecond paragraph.\n\nThird paragraph.\n\nFourth one.", false);
    expect(mounted.container.querySelector("p")).toBe(first);
    expect(mounted.container.querySelectorAll("p")).toHaveLength(4);
  });
});
