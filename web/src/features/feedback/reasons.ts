import type { Schemas } from "../../api/client";

export type Rating = Schemas["FeedbackCreate"]["rating"];

/**
 * The chips per rating. The stored `reason` is the code, the same in every UI language, so
 * feedback can be counted by reason; the label is the message key in messages.ts.
 */
export const REASONS = {
  up: ["accurate", "helpful", "well_written", "creative"],
  down: ["incorrect", "not_helpful", "unsafe", "too_long", "other"],
} as const satisfies Record<Rating, readonly string[]>;

export type ReasonKey = `up_${(typeof REASONS)["up"][number]}` | `down_${(typeof REASONS)["down"][number]}`;

export function reasonKey(rating: Rating, reason: string): ReasonKey {
  return `${rating}_${reason}` as ReasonKey;
}

/** Longest comment the API takes (FeedbackCreate.comment maxLength). */
export const MAX_COMMENT_CHARS = 2000;
