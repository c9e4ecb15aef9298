import { describe, expect, it } from "vitest";
import {
  addMessages,
  draftMessage,
  isLocalId,
  localId,
  nextCreatedAt,
  patchMessage,
  removeMessages,
  renameMessages,
  rowKey,
  type Conversation,
  type Message,
} from "./cache";
import { sampleConversation } from "./testing";

function msg(id: string, parent: string | null, role: "user" | "assistant", extra: Partial<Message> = {}): Message {
  const status = role === "assistant" && id.startsWith("local-") ? "streaming" : "completed";
  return draftMessage({ id, conversation_id: "c", parent_id: parent, role, content: "", status, created_at: "x", ...extra });
}

describe("conversation cache updates", () => {
  it("makes recognisable temporary ids", () => {
    const a = localId();
    expect(isLocalId(a)).toBe(true);
    expect(localId()).not.toBe(a);
    expect(isLocalId("01JABC")).toBe(false);
  });

  it("dates optimistic messages after every message, even when the server's clock is ahead", () => {
    const ahead = { messages: [{ created_at: "2999-01-01T00:00:00Z" }] } as Conversation;
    expect(Date.parse(nextCreatedAt(ahead))).toBeGreaterThan(Date.parse("2999-01-01T00:00:00Z"));
    expect(Date.parse(nextCreatedAt(undefined))).toBeLessThanOrEqual(Date.now());
  });

  it("adds optimistic messages and points the conversation at the answer", () => {
    const before = sampleConversation();
    const q = msg("local-q", "a1", "user", { content: "More" });
    const a = msg("local-a", "local-q", "assistant");
    const after = addMessages(before, [q, a], "local-a");
    expect(after.messages.map((m) => m.id)).toEqual(["q1", "a1", "local-q", "local-a"]);
    expect(after.current_message_id).toBe("local-a");
    expect(after.messages[0]).toBe(before.messages[0]);
    expect(before.messages).toHaveLength(2);
  });

  it("renames temporary ids everywhere", () => {
    const q = msg("local-q", "a1", "user");
    const a = msg("local-a", "local-q", "assistant");
    const names = new Map([
      ["local-q", "q2"],
      ["local-a", "a2"],
    ]);
    const renamed = renameMessages(addMessages(sampleConversation(), [q, a], "local-a"), names);
    expect(renamed.messages.map((m) => [m.id, m.parent_id])).toEqual([
      ["q1", null],
      ["a1", "q1"],
      ["q2", "a1"],
      ["a2", "q2"],
    ]);
    expect(renamed.current_message_id).toBe("a2");
    // The rows keep their React keys: they stay mounted across the rename.
    expect(rowKey("a2")).toBe("local-a");
    expect(rowKey("q1")).toBe("q1");
  });

  it("keeps one copy when a refetch already brought the real message", () => {
    const a = msg("local-a", "q1", "assistant");
    const withBoth = addMessages(sampleConversation(), [a], "local-a");
    const renamed = renameMessages(withBoth, new Map([["local-a", "a1"]]));
    expect(renamed.messages.map((m) => m.id)).toEqual(["q1", "a1"]);
  });

  it("patches one message and leaves the others as they were", () => {
    const before = sampleConversation();
    const after = patchMessage(before, "a1", { status: "stopped", content: "Hel" });
    expect(after.messages[1]).toMatchObject({ status: "stopped", content: "Hel" });
    expect(after.messages[0]).toBe(before.messages[0]);
    expect(patchMessage(before, "missing", { content: "x" })).toBe(before);
  });

  it("removes messages", () => {
    const after = removeMessages(sampleConversation(), new Set(["a1"]), "q1");
    expect(after.messages.map((m) => m.id)).toEqual(["q1"]);
    expect(after.current_message_id).toBe("q1");
  });
});
