// Lexing only the tail of a growing text must give what lexing all of it gives.
import { describe, expect, it } from "vitest";
import { StreamingLexer } from "./blocks";
import { lex, renderBlock } from "./render";

const SAMPLE = `# Getting started

Here is a paragraph with **bold**, *emphasis* and a [link](https://example.com).
It continues on a second line.

Setext heading
--------------

1. First step
2. Second step

   with a second paragraph

3. Third step
   - nested bullet
   - another one

- [x] task done
- [ ] task open

> A quote
> on two lines

| Column | Other |
|--------|------:|
| a      | 1     |
| b      | 2     |

\`\`\`python
def hello(name: str) -> str:

    return f"Hello {name}"
\`\`\`

    indented code
    more code

~~~
tilde fence
~~~

***

Term with <b>raw html</b> and a reference [link][ref].

[ref]: https://example.com/ref

Final words.
`;

function html(tokens: ReturnType<typeof lex>): string {
  return tokens.map((token) => renderBlock(token).html).join("");
}

describe("StreamingLexer", () => {
  // Every prefix of the sample, checked against a full lex.
  it("gives the same blocks as a full lex at every length", () => {
    let lexed = 0;
    const lexer = new StreamingLexer((source) => {
      lexed = source.length;
      return lex(source);
    });
    // Definitions resolve against the whole text; leave them out of the streaming comparison.
    const text = SAMPLE.replace(/\[link\]\[ref\]/, "link").replace(/\[ref\]: .*\n/, "");
    for (let end = 0; end <= text.length; end++) {
      const prefix = text.slice(0, end);
      const streamed = lexer.tokens(prefix, true);
      // Token trees compared whole: cheaper than rendering, and stricter.
      expect(JSON.stringify(streamed), `at ${end}: ${JSON.stringify(prefix.slice(-40))}`).toBe(
        JSON.stringify(lex(prefix)),
      );
    }
    // And it did lex only the end: the last two blocks, not the whole text.
    expect(lexed).toBeLessThan(text.length / 5);
  });

  it("starts over when the text is replaced rather than extended", () => {
    const lexer = new StreamingLexer(lex);
    lexer.tokens("one\n\ntwo\n\nthree\n\nfour", true);
    const tokens = lexer.tokens("alpha\n\nbeta", true);
    expect(tokens.filter((token) => token.type !== "space").map((token) => token.raw)).toEqual(["alpha", "beta"]);
  });

  it("lexes everything when not streaming", () => {
    const lexer = new StreamingLexer(lex);
    const tokens = lexer.tokens(SAMPLE, false);
    expect(html(tokens)).toBe(html(lex(SAMPLE)));
    expect(html(tokens)).toContain('href="https://example.com/ref"');
  });
});
