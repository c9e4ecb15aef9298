// Defaults and bounds of a chat's settings, as the backend's OpenAPI schema states them
// (components.schemas.Parameters: `default`, `minimum`, `maximum`). defaults.test.ts reads
// web/openapi.json and fails when these drift from it, so a regenerated client catches a change.
import type { Schemas } from "../../api/client";

type Parameters = Schemas["Parameters"];
export type ParameterName = keyof Parameters;

export const DEFAULT_PARAMETERS: Readonly<Parameters> = Object.freeze({
  max_tokens: 1024,
  temperature: 0.7,
  top_p: 0.95,
  past_messages: 10,
});

export interface ParameterBounds {
  min: number;
  max: number;
  /** The slider's step; whole numbers only when `integer`. */
  step: number;
  integer: boolean;
}

export const PARAMETER_BOUNDS: Readonly<Record<ParameterName, ParameterBounds>> = Object.freeze({
  max_tokens: { min: 1, max: 32768, step: 1, integer: true },
  temperature: { min: 0, max: 2, step: 0.1, integer: false },
  top_p: { min: 0, max: 1, step: 0.05, integer: false },
  past_messages: { min: 0, max: 100, step: 1, integer: true },
});

/** The order the dialog shows them in (as the original app's panel). */
export const PARAMETER_NAMES: readonly ParameterName[] = ["max_tokens", "temperature", "top_p", "past_messages"];

/** The system prompt of a server with default settings, until GET /api/config says (useChatDefaults). */
export const DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant.";

/** The limit of a server with default settings, until GET /api/config says (useChatDefaults). */
export const MAX_SYSTEM_PROMPT_CHARS = 20_000;

/** Preset names: 1 to 100 characters once surrounding spaces are removed. */
export const MAX_PRESET_NAME_CHARS = 100;
