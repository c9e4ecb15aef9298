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
  type Conversation,
} from "./cache";

function conversation(): Conversation {
  return {
    id: "c",
    title: "T",
    system_prompt: "",
    parameters: { max_tokens: 1024, temperature: 0.7, top_p: 0.95, past_messages: 10 },
    model: null,
    created_at: "2025-01-01T00:00:00Z",
    updated_at: "2025-01-01T00:00:00Z",
    current_message_id: "a1",
    messages: [
      draftMessage({ id: "q1", conversation_id: "c", parent_id: null, role: "user", content: "Hi", status: "completed", created_at: "2025-01-01T00:00:01Z" }),
      draftMessage({ id: "a1", conversation_id: "c", parent_id: "q1", role: "assistant", content: "Hello", status: "completed", created_at: "2025-01-01T00:00:02Z" }),
    ],
  };
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
    const before = conversation();
    const q = draftMessage({ id: "local-q", conversation_id: "c", parent_id: "a1", role: "user", content: "More", status: "completed", created_at: "2025-01-01T00:00:03Z" });
    const a = draftMessage({ id: "local-a", conversation_id: "c", parent_id: "local-q", role: "assistant", content: "", status: "streaming", created_at: "2025-01-01T00:00:03Z" });
    const after = addMessages(before, [q, a], "local-a");
    expect(after.messages.map((m) => m.id)).toEqual(["q1", "a1", "local-q", "local-a"]);
    expect(after.current_message_id).toBe("local-a");
    expect(after.messages[0]).toBe(before.messages[0]);
    expect(before.messages).toHaveLength(2);
  });

  it("renames temporary ids everywhere", () => {
    const q = draftMessage({ id: "local-q", conversation_id: "c", parent_id: "a1", role: "user", content: "More", status: "completed", created_at: "x" });
    const a = draftMessage({ id: "local-a", conversation_id: "c", parent_id: "local-q", role: "assistant", content: "", status: "streaming", created_at: "x" });
    const renamed = renameMessages(addMessages(conversation(), [q, a], "local-a"), new Map([["local-q", "q2"], ["local-a", "a2"]]));
    expect(renamed.messages.map((m) => [m.id, m.parent_id])).toEqual([
      ["q1", null],
      ["a1", "q1"],
      ["q2", "a1"],
      ["a2", "q2"],
    ]);
    expect(renamed.current_message_id).toBe("a2");
  });

  it("keeps one copy when a refetch already brought the real message", () => {
    const a = draftMessage({ id: "local-a", conversation_id: "c", parent_id: "q1", role: "assistant", content: "", status: "streaming", created_at: "x" });
    const withBoth = addMessages(conversation(), [a], "local-a");
    const renamed = renameMessages(withBoth, new Map([["local-a", "a1"]]));
    expect(renamed.messages.map((m) => m.id)).toEqual(["q1", "a1"]);
  });

  it("patches one message and leaves the others as they were", () => {
    const before = conversation();
    const after = patchMessage(before, "a1", { status: "stopped", content: "Hel" });
    expect(after.messages[1]).toMatchObject({ status: "stopped", content: "Hel" });
    expect(after.messages[0]).toBe(before.messages[0]);
    expect(patchMessage(before, "missing", { content: "x" })).toBe(before);
  });

  it("removes messages", () => {
    const after = removeMessages(conversation(), new Set(["a1"]), "q1");
    expect(after.messages.map((m) => m.id)).toEqual(["q1"]);
    expect(after.current_message_id).toBe("q1");
  });
});
