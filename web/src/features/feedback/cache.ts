// The conversation in the query cache with one answer's feedback replaced, so the thumbs keep
// their state when the chat view re-renders from the cache (and across remounts).
import type { Schemas } from "../../api/client";

type Conversation = Schemas["ConversationDetail"];
type Feedback = Schemas["FeedbackRead"];

export function withFeedback<T extends Partial<Pick<Conversation, "messages">>>(conversation: T, messageId: string, feedback: Feedback | null): T {
  if (!Array.isArray(conversation.messages)) return conversation;
  let changed = false;
  const messages = conversation.messages.map((message) => {
    if (message.id !== messageId) return message;
    changed = true;
    return { ...message, feedback };
  });
  return changed ? { ...conversation, messages } : conversation;
}

/** What the server will answer, shown before it does. */
export function optimisticFeedback(messageId: string, body: Schemas["FeedbackCreate"], previous: Feedback | null, now: Date): Feedback {
  const stamp = now.toISOString();
  const blank = (text: string | null | undefined) => (text && text.trim() ? text : null);
  return {
    message_id: messageId,
    rating: body.rating,
    reason: blank(body.reason),
    comment: blank(body.comment),
    created_at: previous?.created_at ?? stamp,
    updated_at: stamp,
  };
}
