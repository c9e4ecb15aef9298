import { describe, expect, it } from "vitest";
import { flattenPages, isConversationPages, removeFrom, renameIn, type Conversation, type ConversationPages } from "./cache";

const conversation = (id: string, title = id): Conversation => ({
  id,
  title,
  system_prompt: "",
  parameters: { max_tokens: 100, past_messages: 10, temperature: 1, top_p: 1 },
  model: null,
  created_at: "2026-11-20T10:00:00Z",
  updated_at: "2026-11-20T10:00:00Z",
  current_message_id: null,
});

const pages = (...ids: string[][]): ConversationPages => ({
  pages: ids.map((page, index) => ({ items: page.map((id) => conversation(id)), next_cursor: `c${index}` })),
  pageParams: ids.map((_, index) => (index === 0 ? null : `c${index - 1}`)),
});

describe("conversation list cache", () => {
  it("recognises only infinite lists of conversation pages", () => {
    expect(isConversationPages(pages(["a"]))).toBe(true);
    expect(isConversationPages(undefined)).toBe(false);
    expect(isConversationPages({ id: "a", title: "x" })).toBe(false);
    expect(isConversationPages({ pages: [{ nope: 1 }] })).toBe(false);
  });

  it("renames in whichever page holds the chat, leaving other pages as they were", () => {
    const before = pages(["a", "b"], ["c", "d"]);
    const after = renameIn(before, "c", "New name") as ConversationPages;
    expect(after.pages[1]!.items.map((c) => c.title)).toEqual(["New name", "d"]);
    expect(after.pages[0]).toBe(before.pages[0]);
    expect(after.pageParams).toBe(before.pageParams);
    expect(before.pages[1]!.items[0]!.title).toBe("c"); // not mutated
  });

  it("hands back the same object when nothing changes", () => {
    const before = pages(["a"]);
    expect(renameIn(before, "zzz", "x")).toBe(before);
    expect(renameIn(before, "a", "a")).toBe(before);
    expect(removeFrom(before, "zzz")).toBe(before);
  });

  it("removes a chat and keeps the cursors", () => {
    const after = removeFrom(pages(["a", "b"], ["c"]), "b") as ConversationPages;
    expect(after.pages.map((p) => p.items.map((c) => c.id))).toEqual([["a"], ["c"]]);
    expect(after.pages.map((p) => p.next_cursor)).toEqual(["c0", "c1"]);
  });

  it("leaves other data under the same key prefix alone", () => {
    const detail = { id: "a", title: "x", messages: [] };
    expect(renameIn(detail, "a", "y")).toBe(detail);
    expect(removeFrom(undefined, "a")).toBeUndefined();
  });

  it("flattens pages without duplicates", () => {
    expect(flattenPages(pages(["a", "b"], ["b", "c"])).map((c) => c.id)).toEqual(["a", "b", "c"]);
    expect(flattenPages(undefined)).toEqual([]);
  });
});
