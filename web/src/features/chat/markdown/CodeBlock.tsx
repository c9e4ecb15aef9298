import { Button } from "@fluentui/react-components";
import { Checkmark16Regular, Copy16Regular, ErrorCircle16Regular } from "@fluentui/react-icons";
import { memo, useCallback, useEffect, useRef, useState } from "react";
import { useMessages } from "../../../i18n";
import { markdownMessages } from "./messages";
import { useCodeStyles } from "./styles";
import { copyText } from "../copy";

/** Longer code is shown plain: highlighting it would hold the main thread for too long. */
export const MAX_HIGHLIGHT_CHARS = 50_000;

// Highlighted HTML by language and code, so that a block mounted again (a branch switched
// back, a conversation reopened) is coloured at once instead of flashing plain first.
const highlighted = new Map<string, string>();
const CACHE_ENTRIES = 200;

function cacheKey(lang: string, code: string): string {
  return `${lang}\u0000${code}`;
}

function remember(key: string, html: string): void {
  highlighted.delete(key);
  highlighted.set(key, html);
  if (highlighted.size > CACHE_ENTRIES) highlighted.delete(highlighted.keys().next().value!);
}

export interface CodeBlockProps {
  code: string;
  /** The fence's language label, lower-case, or "" for none. */
  lang: string;
  /** Finished: no more text will come, so it may be highlighted. */
  complete: boolean;
}

type CopyState = "idle" | "copied" | "failed";

export const CodeBlock = memo(function CodeBlock({ code, lang, complete }: CodeBlockProps) {
  const styles = useCodeStyles();
  const m = useMessages(markdownMessages);
  const wanted = complete && lang !== "" && code.length <= MAX_HIGHLIGHT_CHARS;
  const key = wanted ? cacheKey(lang, code) : null;
  const [result, setResult] = useState<{ key: string; html: string } | null>(null);
  const html = key === null ? null : (highlighted.get(key) ?? (result?.key === key ? result.html : null));

  useEffect(() => {
    if (key === null || highlighted.has(key)) return;
    let live = true;
    import("./highlighter")
      .then((module) => module.highlight(code, lang))
      .then((value) => {
        if (value === null) return;
        remember(key, value);
        if (live) setResult({ key, html: value });
      })
      .catch(() => {
        // Highlighting is a nicety: when its chunk fails to load, the code stays plain.
      });
    return () => {
      live = false;
    };
  }, [key, code, lang]);

  const [copyState, setCopyState] = useState<CopyState>("idle");
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const onCopy = useCallback(() => {
    void copyText(code).then((ok) => {
      setCopyState(ok ? "copied" : "failed");
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(() => setCopyState("idle"), 2000);
    });
  }, [code]);

  // Focusable only when its lines scroll sideways, so that a keyboard can scroll them.
  const pre = useRef<HTMLPreElement>(null);
  const [scrollable, setScrollable] = useState(false);
  useEffect(() => {
    const element = pre.current;
    if (!element || typeof ResizeObserver === "undefined") return;
    // A pixel of slack: sub-pixel layout can make scrollWidth exceed clientWidth by one.
    const check = () => setScrollable(element.scrollWidth - element.clientWidth > 1);
    check();
    const observer = new ResizeObserver(check);
    observer.observe(element);
    return () => observer.disconnect();
  }, [html]);

  const icon =
    copyState === "copied" ? <Checkmark16Regular /> : copyState === "failed" ? <ErrorCircle16Regular /> : <Copy16Regular />;
  const status = copyState === "copied" ? m.copied : copyState === "failed" ? m.copyFailed : "";

  return (
    <div className={styles.root} data-md-codeblock="" data-language={lang || undefined}>
      <div className={styles.header}>
        <span className={styles.language}>{lang || m.plainText}</span>
        <Button appearance="subtle" size="small" className={styles.copy} icon={icon} aria-label={m.copyCode} onClick={onCopy}>
          {copyState === "idle" ? m.copy : status}
        </Button>
      </div>
      <pre ref={pre} className={styles.pre} tabIndex={scrollable ? 0 : undefined}>
        {html !== null ? (
          <code key="highlighted" className="hljs" dangerouslySetInnerHTML={{ __html: html }} />
        ) : (
          <code key="plain">{code}</code>
        )}
      </pre>
      <span role="status" className={styles.status}>
        {status}
      </span>
    </div>
  );
});
