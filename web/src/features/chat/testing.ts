// For tests only: a small stored conversation, one question and its answer.
import { draftMessage, type Conversation } from "./cache";

export function sampleConversation(): Conversation {
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
