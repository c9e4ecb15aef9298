// Placeholder: replaced by the feedback feature.
import type { Schemas } from "../../../api/client";

export function FeedbackButtons(_props: { message: Schemas["MessageRead"]; conversationId: string }) {
  return null;
}
