// Markdown (GitHub-flavoured) to sanitised HTML, one top-level block at a time.
//
// Raw HTML in the text is shown as text, as ChatGPT does: a model quoting `<script>` or a
// user pasting markup sees what was written. Images are never loaded (a remote image is a
// way for injected instructions to send data out): they become links. Code blocks become
// empty slots that the React side fills with <CodeBlock> (copy button, highlighting).
import { Marked, Renderer, type RendererObject, type Token } from "marked";
import { safeUrl, sanitizeHtml } from "./sanitize";

export interface CodeSlot {
  code: string;
  lang: string;
  /** A fenced block whose closing fence has arrived (indented code never says it is done). */
  closed: boolean;
}

export interface RenderedBlock {
  html: string;
  /** The code blocks inside, by their `data-md-code` index. */
  codes: CodeSlot[];
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

/** What the label may show: a plain name such as `python`, `c++` or `objective-c`. */
export function languageOf(info: string | undefined): string {
  const word = (info ?? "").trim().split(/\s+/)[0] ?? "";
  return /^[\w#+.-]{1,32}$/.test(word) ? word.toLowerCase() : "";
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;

/** Whether a code token is fenced and its closing fence has arrived. */
export function fenceClosed(raw: string): boolean {
  const open = FENCE_OPEN.exec(raw);
  if (!open) return false;
  const lines = raw.replace(/\n+$/, "").split("\n");
  if (lines.length < 2) return false;
  const last = lines[lines.length - 1]!.trim();
  const fence = open[1]!;
  return last.length >= fence.length && /^(`+|~+)$/.test(last) && last[0] === fence[0];
}

let collecting: CodeSlot[] = [];

// Overrides of marked's renderer; `this` is marked's own renderer (with its parser).
const renderer: RendererObject = {
  code(token) {
    const index = collecting.length;
    collecting.push({ code: token.text, lang: languageOf(token.lang), closed: fenceClosed(token.raw) });
    return `<div data-md-code="${index}"></div>`;
  },

  html(token) {
    const text = escapeHtml(token.text);
    return "block" in token && token.block ? `<p class="md-raw">${text.replace(/\n+$/, "")}</p>` : text;
  },

  link(token) {
    const inner = token.autolink ? escapeHtml(token.text) : this.parser.parseInline(token.tokens);
    const url = safeUrl(token.href);
    if (url === null) return inner;
    const title = token.title ? ` title="${escapeHtml(token.title)}"` : "";
    return `<a href="${escapeHtml(encodeUrl(url))}"${title}>${inner}</a>`;
  },

  image(token) {
    const alt = token.tokens ? this.parser.parseInline(token.tokens, this.parser.textRenderer) : token.text;
    const url = safeUrl(token.href);
    if (url === null || url === "") return escapeHtml(alt);
    const label = alt.trim() || url;
    return `<a class="md-image" href="${escapeHtml(encodeUrl(url))}" title="${escapeHtml(url)}">${escapeHtml(label)}</a>`;
  },

  table(token) {
    return `<div class="md-table">${Renderer.prototype.table.call(this, token)}</div>`;
  },
};

/** Percent-encode what a URL must not contain raw, keeping existing escapes (as marked does). */
function encodeUrl(url: string): string {
  try {
    return encodeURI(url).replace(/%25([0-9a-f]{2})/gi, "%$1");
  } catch {
    return url;
  }
}

const markdown = new Marked({ gfm: true, breaks: true, renderer });

/** Top-level tokens of a markdown text. */
export function lex(text: string): Token[] {
  return markdown.lexer(text);
}

/** One top-level token as sanitised HTML, with its code blocks set aside. */
export function renderBlock(token: Token): RenderedBlock {
  collecting = [];
  try {
    const html = markdown.parser([token]);
    return { html: sanitizeHtml(html), codes: collecting };
  } finally {
    collecting = [];
  }
}

/** The whole text as sanitised HTML, code blocks as plain `<pre>` (for tests and exports). */
export function renderToHtml(text: string): string {
  return lex(text)
    .map((token) => {
      const block = renderBlock(token);
      return block.html.replace(/<div data-md-code="(\d+)"><\/div>/g, (_, index: string) => {
        const slot = block.codes[Number(index)]!;
        return `<pre><code>${escapeHtml(slot.code)}</code></pre>`;
      });
    })
    .join("");
}
