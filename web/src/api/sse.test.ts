import { describe, expect, it } from "vitest";
import { SseParser, readSse } from "./sse";

describe("SseParser", () => {
  it("parses events split anywhere across chunks", () => {
    const wire = 'event: delta\ndata: {"text":"Hel"}\n\nevent: delta\ndata: {"text":"lo"}\n\nevent: done\ndata: {}\n\n';
    for (let cut = 0; cut <= wire.length; cut++) {
      const parser = new SseParser();
      const events = [...parser.push(wire.slice(0, cut)), ...parser.push(wire.slice(cut))];
      expect(events.map((e) => e.event)).toEqual(["delta", "delta", "done"]);
      expect(JSON.parse(events[1]!.data)).toEqual({ text: "lo" });
    }
  });

  it("accepts CRLF, CR, comments and multi-line data", () => {
    const parser = new SseParser();
    const events = parser.push(": keep-alive\r\nevent: x\r\ndata: a\rdata: b\r\n\r\ndata: plain\n\n");
    expect(events).toEqual([
      { event: "x", data: "a\nb" },
      { event: "message", data: "plain" },
    ]);
  });

  it("waits for the LF after a CR at the end of a chunk", () => {
    const parser = new SseParser();
    expect(parser.push("data: a\r")).toEqual([]);
    expect(parser.push("\n\r\n")).toEqual([{ event: "message", data: "a" }]);
  });

  it("ignores an event without data and a trailing partial event", () => {
    const parser = new SseParser();
    expect(parser.push("event: lonely\n\nevent: delta\ndata: {")).toEqual([]);
  });
});

describe("readSse", () => {
  it("decodes multi-byte characters split across chunks", async () => {
    const bytes = new TextEncoder().encode('event: delta\ndata: {"text":"日本語"}\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const b of bytes) controller.enqueue(new Uint8Array([b]));
        controller.close();
      },
    });
    const events = [];
    for await (const event of readSse(body)) events.push(event);
    expect(events).toEqual([{ event: "delta", data: '{"text":"日本語"}' }]);
  });
});
