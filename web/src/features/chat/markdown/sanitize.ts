// The only door through which model or user text becomes HTML: whatever the markdown
// renderer produces passes DOMPurify here, with an allow-list of tags and attributes.
// Links keep only http(s), mailto and relative targets and always open in a new tab
// without an opener; anything else loses its href.
import createDOMPurify from "dompurify";

const SAFE_SCHEMES = new Set(["http", "https", "mailto"]);
// Browsers drop ASCII whitespace and control characters anywhere in a scheme ("java\tscript:").
const IGNORED_IN_URL = /[\u0000-\u0020\u007f-\u009f\u00ad\u200b-\u200f\u2028\u2029\ufeff]/g;
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

let decoder: HTMLTextAreaElement | null = null;

/** Decode character references (`&#58;`, `&colon;`...) as the browser would in an attribute. */
export function decodeEntities(value: string): string {
  if (!value.includes("&")) return value;
  // A textarea parses its content as RCDATA: references are decoded, no element is ever created.
  decoder ??= document.createElement("textarea");
  decoder.innerHTML = value.replace(/</g, "&lt;");
  return decoder.value;
}

/** The URL to link to, or null when it must not be a link (javascript:, data:, vbscript:, file:...). */
export function safeUrl(raw: string): string | null {
  const decoded = decodeEntities(raw).trim();
  const scheme = SCHEME.exec(decoded.replace(IGNORED_IN_URL, ""));
  if (scheme && !SAFE_SCHEMES.has(scheme[1]!.toLowerCase())) return null;
  // A URL that has a scheme must spell it plainly: "ht\ttp:" is refused rather than guessed at.
  if (scheme && !SCHEME.test(decoded)) return null;
  return decoded;
}

// http(s):, mailto:, or no scheme at all (relative, fragment, query): DOMPurify's own check.
const ALLOWED_URI = /^(?:(?:https?|mailto):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i;

const ALLOWED_TAGS = [
  "a", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "input", "li",
  "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
];
const ALLOWED_ATTR = ["href", "title", "class", "align", "start", "type", "checked", "disabled", "data-md-code"];

// One instance per configuration, configured once: DOMPurify then skips re-reading its
// options on every call, which is most of the cost of sanitising a small block.
const purifier = createDOMPurify(window);
purifier.setConfig({
  ALLOWED_TAGS,
  ALLOWED_ATTR,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ALLOWED_URI_REGEXP: ALLOWED_URI,
});
purifier.addHook("afterSanitizeAttributes", (node) => {
  if (node.nodeName === "A") {
    const href = node.getAttribute("href");
    if (href !== null && safeUrl(href) === null) node.removeAttribute("href");
    if (node.hasAttribute("href")) {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer");
    } else {
      node.removeAttribute("target");
      node.removeAttribute("rel");
    }
  } else if (node.nodeName === "INPUT") {
    // Task-list boxes only: read-only checkboxes.
    node.setAttribute("type", "checkbox");
    node.setAttribute("disabled", "");
  }
});

/** Sanitise renderer output for `dangerouslySetInnerHTML`. */
export function sanitizeHtml(html: string): string {
  return purifier.sanitize(html);
}

/** Sanitise highlight.js output: spans with classes around escaped text, nothing else. */
const highlightPurifier = createDOMPurify(window);
highlightPurifier.setConfig({ ALLOWED_TAGS: ["span"], ALLOWED_ATTR: ["class"], ALLOW_DATA_ATTR: false });

export function sanitizeHighlighted(html: string): string {
  return highlightPurifier.sanitize(html);
}
