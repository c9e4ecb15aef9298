// The settings form's logic, free of React: the draft as typed, its validation against the
// backend's bounds, and the patch of what changed.
import type { Schemas } from "../../api/client";
import { MAX_SYSTEM_PROMPT_CHARS, PARAMETER_BOUNDS, PARAMETER_NAMES, type ParameterName } from "./defaults";
import type { ChatSettings, ChatSettingsPatch } from "./types";

/** What the form holds: numbers as the user typed them, so a half-typed value is not lost. */
export interface SettingsDraft {
  system_prompt: string;
  model: string | null;
  parameters: Record<ParameterName, string>;
}

export type DraftField = ParameterName | "system_prompt";
export type DraftError = "required" | "not_a_number" | "not_whole" | "out_of_range" | "too_long";
export type DraftErrors = Partial<Record<DraftField, DraftError>>;

/** A number as the form shows it: no float noise from slider steps (0.30000000000000004 -> "0.3"). */
export function formatNumber(value: number): string {
  return String(Number(value.toFixed(6)));
}

export function toDraft(settings: ChatSettings): SettingsDraft {
  const parameters = {} as Record<ParameterName, string>;
  for (const name of PARAMETER_NAMES) parameters[name] = formatNumber(settings.parameters[name]);
  return { system_prompt: settings.system_prompt, model: settings.model, parameters };
}

function parameterError(name: ParameterName, text: string): DraftError | null {
  const trimmed = text.trim();
  if (trimmed === "") return "required";
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return "not_a_number";
  const bounds = PARAMETER_BOUNDS[name];
  if (bounds.integer && !Number.isInteger(value)) return "not_whole";
  if (value < bounds.min || value > bounds.max) return "out_of_range";
  return null;
}

export function validateDraft(draft: SettingsDraft, maxSystemPromptChars = MAX_SYSTEM_PROMPT_CHARS): DraftErrors {
  const errors: DraftErrors = {};
  for (const name of PARAMETER_NAMES) {
    const error = parameterError(name, draft.parameters[name]);
    if (error) errors[name] = error;
  }
  if (draft.system_prompt.length > maxSystemPromptChars) errors.system_prompt = "too_long";
  return errors;
}

/** The settings a valid draft stands for; null while any field is invalid. */
export function parseDraft(draft: SettingsDraft, maxSystemPromptChars = MAX_SYSTEM_PROMPT_CHARS): ChatSettings | null {
  if (Object.keys(validateDraft(draft, maxSystemPromptChars)).length > 0) return null;
  const parameters = {} as Schemas["Parameters"];
  for (const name of PARAMETER_NAMES) parameters[name] = Number(formatNumber(Number(draft.parameters[name].trim())));
  return { system_prompt: draft.system_prompt, model: draft.model, parameters };
}

function sameParameters(a: Schemas["Parameters"], b: Schemas["Parameters"]): boolean {
  return PARAMETER_NAMES.every((name) => a[name] === b[name]);
}

/**
 * Only what differs between two settings. Parameters travel whole (the chat's patch type holds
 * a full Parameters) but only when at least one of them changed.
 */
export function diffSettings(before: ChatSettings, after: ChatSettings): ChatSettingsPatch {
  const patch: ChatSettingsPatch = {};
  if (after.system_prompt !== before.system_prompt) patch.system_prompt = after.system_prompt;
  if (after.model !== before.model) patch.model = after.model;
  if (!sameParameters(before.parameters, after.parameters)) patch.parameters = { ...after.parameters };
  return patch;
}

export function isEmptyPatch(patch: ChatSettingsPatch): boolean {
  return Object.keys(patch).length === 0;
}

/** A preset's settings, as a chat would take them. */
export function settingsOfPreset(preset: Schemas["PresetRead"]): ChatSettings {
  return { system_prompt: preset.system_prompt, model: preset.model, parameters: { ...preset.parameters } };
}

/** The name a preset is stored under, or why it cannot be. */
export function presetNameError(name: string, maxChars: number): "required" | "too_long" | null {
  const clean = name.trim();
  if (clean === "") return "required";
  if (clean.length > maxChars) return "too_long";
  return null;
}
