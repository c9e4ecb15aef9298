// Markdown for model answers and user questions, safe against hostile text and cheap to
// re-render while an answer streams in.
//
// The text is split into top-level blocks. Each block's sanitised HTML is cached by its
// source, so a frame of streaming re-renders only the block that is still growing (and
// StreamingLexer lexes only the last blocks again). Code blocks are React components
// (<CodeBlock>): at the top level directly, inside lists and quotes through portals into
// the slots the renderer leaves for them.
//
// One block can still be big (a 16 KB paragraph or list): when re-rendering what grows
// costs more than a few milliseconds, updates are spaced out so that the markdown takes at
// most about a third of the main thread, and typing stays responsive; the text catches up
// at the next update, and in full when the answer ends.
import type { Token, Tokens, TokensList } from "marked";
import { memo, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState, type ReactNode } from "react";
import { createPortal } from "react-dom";
import { StreamingLexer } from "./blocks";
import { FREE_MS, pacingClock, SPACING } from "./pacing";
import { CodeBlock } from "./CodeBlock";
import { fenceClosed, languageOf, lex, renderBlock, type CodeSlot } from "./render";
import { useMarkdownStyles } from "./styles";

export interface MarkdownProps {
  text: string;
  /** The text is still growing at its end (an answer being written). */
  streaming?: boolean;
}

interface Entry {
  id: number;
  html: string;
  codes: CodeSlot[];
}

let nextEntryId = 1;

const HtmlBlock = memo(function HtmlBlock({ html }: { html: string }) {
  // `html` comes from renderBlock, which has passed it through DOMPurify.
  return <div dangerouslySetInnerHTML={{ __html: html }} />;
});

/** A block with code blocks inside (a list item's snippet): they are portalled into their slots.
 * `complete`: the block is finished; a code block whose fence has closed is finished anyway. */
const SlottedBlock = memo(function SlottedBlock({ entry, complete }: { entry: Entry; complete: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const [slots, setSlots] = useState<HTMLElement[]>([]);
  // The parent keys this component by entry, so the HTML (and so the slots) never change under it.
  useLayoutEffect(() => {
    setSlots(Array.from(ref.current?.querySelectorAll<HTMLElement>("[data-md-code]") ?? []));
  }, []);
  return (
    <>
      <div ref={ref} dangerouslySetInnerHTML={{ __html: entry.html }} />
      {slots.map((slot) => {
        const index = slot.dataset.mdCode ?? "";
        const code = entry.codes[Number(index)];
        if (!code) return null;
        const done = complete || code.closed;
        return createPortal(<CodeBlock code={code.code} lang={code.lang} complete={done} />, slot, index);
      })}
    </>
  );
});

function lastContentIndex(tokens: Token[]): number {
  for (let index = tokens.length - 1; index >= 0; index--) {
    const type = tokens[index]!.type;
    if (type !== "space" && type !== "def") return index;
  }
  return -1;
}

export const Markdown = memo(function Markdown({ text, streaming = false }: MarkdownProps) {
  const styles = useMarkdownStyles();
  const lexer = useRef<StreamingLexer | null>(null);
  lexer.current ??= new StreamingLexer(lex);
  const cache = useRef(new Map<string, Entry>());
  const pace = useRef({ text: "", at: 0, cost: 0 });
  const [, catchUp] = useReducer((count: number) => count + 1, 0);

  const started = pacingClock.now();
  const previous = pace.current;
  const wait = previous.at + previous.cost * SPACING - started;
  const deferred = streaming && previous.cost > FREE_MS && wait > 0 && text.startsWith(previous.text);
  const shown = deferred ? previous.text : text;

  const tokens = useMemo(() => {
    const source = shown.includes("\r") ? shown.replace(/\r\n?/g, "\n") : shown;
    return lexer.current!.tokens(source, streaming);
  }, [shown, streaming]);

  // Reference-style links resolve against definitions anywhere in the text: a block's HTML
  // depends on them too, so they are part of its cache key.
  const links = (tokens as Partial<TokensList>).links;
  const linkKey = links && Object.keys(links).length > 0 ? `\u0000${JSON.stringify(links)}` : "";

  const last = lastContentIndex(tokens);
  const cached = cache.current;
  const next = new Map<string, Entry>();
  const blocks: ReactNode[] = [];
  tokens.forEach((token, index) => {
    if (token.type === "space" || token.type === "def") return;
    const growing = streaming && index === last;
    if (token.type === "code") {
      const code = token as Tokens.Code;
      const complete = !growing || fenceClosed(code.raw);
      blocks.push(<CodeBlock key={index} code={code.text} lang={languageOf(code.lang)} complete={complete} />);
      return;
    }
    const key = token.raw + linkKey;
    let entry = next.get(key) ?? cached.get(key);
    if (!entry) entry = { id: nextEntryId++, ...renderBlock(token) };
    next.set(key, entry);
    if (entry.html === "") return;
    blocks.push(
      entry.codes.length > 0 ? (
        <SlottedBlock key={`${index}:${entry.id}`} entry={entry} complete={!growing} />
      ) : (
        <HtmlBlock key={index} html={entry.html} />
      ),
    );
  });
  cache.current = next;
  if (shown !== previous.text) pace.current = { text: shown, at: started, cost: pacingClock.now() - started };

  // A deferred update is shown once its time comes, even if no more text arrives by then.
  useEffect(() => {
    if (!deferred) return;
    const timer = window.setTimeout(catchUp, Math.max(0, wait));
    return () => window.clearTimeout(timer);
  }, [deferred, wait, text]);

  return (
    <div className={styles.root} data-md-root="">
      {blocks}
    </div>
  );
});
