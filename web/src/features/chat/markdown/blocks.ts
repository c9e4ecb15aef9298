// Top-level blocks of a text that grows at its end, lexed without starting over each time.
//
// Appending text can only change the last block or two (a paragraph that turns into a
// setext heading or a table, a list that gets another item). Every block before the last
// two content blocks is frozen: its tokens are kept, and only the text after it is lexed
// again. So a frame costs the size of the last blocks, not of the whole answer.
import type { Token } from "marked";

export class StreamingLexer {
  private frozenText = "";
  private frozen: Token[] = [];

  constructor(private readonly lex: (text: string) => Token[]) {}

  /** The top-level tokens of `text`; with `streaming`, reuses what an earlier, shorter text froze. */
  tokens(text: string, streaming: boolean): Token[] {
    if (!streaming) {
      this.reset();
      return this.lex(text);
    }
    if (!text.startsWith(this.frozenText)) this.reset();
    const tailText = text.slice(this.frozenText.length);
    const tail = this.lex(tailText);
    const cut = freezePoint(tail);
    if (cut > 0) {
      const newly = tail.slice(0, cut);
      const raw = newly.map((token) => token.raw).join("");
      // Only when the tokens account for the text exactly can the rest be lexed on its own.
      if (tailText.startsWith(raw)) {
        this.frozen.push(...newly);
        this.frozenText += raw;
        return this.frozen.concat(tail.slice(cut));
      }
    }
    return this.frozen.concat(tail);
  }

  reset(): void {
    this.frozenText = "";
    this.frozen = [];
  }
}

/** Index of the second-to-last content token: what comes before it is frozen. */
function freezePoint(tokens: Token[]): number {
  let seen = 0;
  for (let index = tokens.length - 1; index >= 0; index--) {
    const token = tokens[index]!;
    if (token.type === "space" || token.type === "def") continue;
    seen++;
    if (seen === 2) return index;
  }
  return 0;
}
