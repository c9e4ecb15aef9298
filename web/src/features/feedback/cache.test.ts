import { describe, expect, it } from "vitest";
import type { Schemas } from "../../api/client";
import { optimisticFeedback, withFeedback } from "./cache";

function message(id: string, role: Schemas["Role"]): Schemas["MessageRead"] {
  return {
    id,
    conversation_id: "c1",
    parent_id: null,
    role,
    content: "text",
    status: "completed",
    model: null,
    usage: null,
    finish_reason: null,
    error: null,
    created_at: "2026-01-01T00:00:00Z",
    edited_at: null,
    feedback: null,
  };
}

const conversation: Schemas["ConversationDetail"] = {
  id: "c1",
  title: "t",
  system_prompt: "",
  parameters: { max_tokens: 1024, temperature: 0.7, top_p: 0.95, past_messages: 10 },
  model: null,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
  current_message_id: "a1",
  messages: [message("q1", "user"), message("a1", "assistant")],
};

const feedback: Schemas["FeedbackRead"] = {
  message_id: "a1",
  rating: "down",
  reason: "too_long",
  comment: null,
  created_at: "2026-01-02T00:00:00Z",
  updated_at: "2026-01-02T00:00:00Z",
};

describe("withFeedback", () => {
  it("replaces only that message's feedback, without mutating", () => {
    const next = withFeedback(conversation, "a1", feedback);
    expect(next.messages[1]!.feedback).toEqual(feedback);
    expect(next.messages[0]).toBe(conversation.messages[0]);
    expect(conversation.messages[1]!.feedback).toBeNull();
    expect(withFeedback(next, "a1", null).messages[1]!.feedback).toBeNull();
  });

  it("leaves a conversation without that message (or without messages) as it is", () => {
    expect(withFeedback(conversation, "nope", feedback)).toBe(conversation);
    const other = { id: "x" } as Partial<Schemas["ConversationDetail"]>;
    expect(withFeedback(other, "a1", feedback)).toBe(other);
  });
});

describe("optimisticFeedback", () => {
  const now = new Date("2026-03-01T10:00:00Z");

  it("stores blanks as null, as the server does", () => {
    expect(optimisticFeedback("a1", { rating: "up", reason: " ", comment: "" }, null, now)).toEqual({
      message_id: "a1",
      rating: "up",
      reason: null,
      comment: null,
      created_at: "2026-03-01T10:00:00.000Z",
      updated_at: "2026-03-01T10:00:00.000Z",
    });
  });

  it("keeps when the feedback was first given", () => {
    const next = optimisticFeedback("a1", { rating: "up", reason: "helpful", comment: "Nice" }, feedback, now);
    expect(next.created_at).toBe(feedback.created_at);
    expect(next).toMatchObject({ rating: "up", reason: "helpful", comment: "Nice", updated_at: "2026-03-01T10:00:00.000Z" });
  });
});
