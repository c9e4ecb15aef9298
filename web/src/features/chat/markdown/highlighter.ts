// Syntax highlighting, loaded on demand: this module, highlight.js's core and each language
// are separate chunks that the first finished code block in that language fetches.
import type { LanguageFn } from "highlight.js";
import hljs from "highlight.js/lib/core";
import { sanitizeHighlighted } from "./sanitize";
import "./highlight.css";

type Loader = () => Promise<{ default: LanguageFn }>;

const LANGUAGES: Record<string, Loader> = {
  bash: () => import("highlight.js/lib/languages/bash"),
  c: () => import("highlight.js/lib/languages/c"),
  cpp: () => import("highlight.js/lib/languages/cpp"),
  csharp: () => import("highlight.js/lib/languages/csharp"),
  css: () => import("highlight.js/lib/languages/css"),
  diff: () => import("highlight.js/lib/languages/diff"),
  dockerfile: () => import("highlight.js/lib/languages/dockerfile"),
  go: () => import("highlight.js/lib/languages/go"),
  ini: () => import("highlight.js/lib/languages/ini"),
  java: () => import("highlight.js/lib/languages/java"),
  javascript: () => import("highlight.js/lib/languages/javascript"),
  json: () => import("highlight.js/lib/languages/json"),
  kotlin: () => import("highlight.js/lib/languages/kotlin"),
  markdown: () => import("highlight.js/lib/languages/markdown"),
  php: () => import("highlight.js/lib/languages/php"),
  powershell: () => import("highlight.js/lib/languages/powershell"),
  python: () => import("highlight.js/lib/languages/python"),
  ruby: () => import("highlight.js/lib/languages/ruby"),
  rust: () => import("highlight.js/lib/languages/rust"),
  scss: () => import("highlight.js/lib/languages/scss"),
  shell: () => import("highlight.js/lib/languages/shell"),
  sql: () => import("highlight.js/lib/languages/sql"),
  swift: () => import("highlight.js/lib/languages/swift"),
  typescript: () => import("highlight.js/lib/languages/typescript"),
  xml: () => import("highlight.js/lib/languages/xml"),
  yaml: () => import("highlight.js/lib/languages/yaml"),
};

// Fence labels people write, mapped to the module that highlights them.
const ALIASES: Record<string, string> = {
  sh: "bash", zsh: "bash", ksh: "bash",
  console: "shell", terminal: "shell",
  "c++": "cpp", cc: "cpp", cxx: "cpp", hpp: "cpp", h: "c",
  "c#": "csharp", cs: "csharp",
  patch: "diff",
  docker: "dockerfile",
  golang: "go",
  toml: "ini", cfg: "ini", conf: "ini",
  js: "javascript", jsx: "javascript", mjs: "javascript", cjs: "javascript", node: "javascript",
  jsonc: "json", json5: "json",
  kt: "kotlin", kts: "kotlin",
  md: "markdown",
  ps: "powershell", ps1: "powershell", pwsh: "powershell",
  py: "python", python3: "python", py3: "python",
  rb: "ruby",
  rs: "rust",
  ts: "typescript", tsx: "typescript", mts: "typescript",
  html: "xml", xhtml: "xml", svg: "xml", xsl: "xml", plist: "xml", vue: "xml",
  yml: "yaml",
};

/** The highlight.js language for a fence label, if this app highlights it. */
export function languageFor(label: string): string | null {
  const name = ALIASES[label] ?? label;
  return name in LANGUAGES ? name : null;
}

const loading = new Map<string, Promise<void>>();

function load(name: string): Promise<void> {
  let pending = loading.get(name);
  if (!pending) {
    pending = LANGUAGES[name]!().then((module) => hljs.registerLanguage(name, module.default));
    pending.catch(() => loading.delete(name));
    loading.set(name, pending);
  }
  return pending;
}

/** Sanitised highlighted HTML for `code`, or null when the language is not one this app knows. */
export async function highlight(code: string, label: string): Promise<string | null> {
  const name = languageFor(label);
  if (name === null) return null;
  await load(name);
  const { value } = hljs.highlight(code, { language: name, ignoreIllegals: true });
  return sanitizeHighlighted(value);
}
