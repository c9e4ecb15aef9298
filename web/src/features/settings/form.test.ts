import { describe, expect, it } from "vitest";
import { DEFAULT_PARAMETERS, MAX_SYSTEM_PROMPT_CHARS } from "./defaults";
import { diffSettings, formatNumber, isEmptyPatch, parseDraft, presetNameError, settingsOfPreset, toDraft, validateDraft } from "./form";
import type { ChatSettings } from "./types";

const base: ChatSettings = { system_prompt: "Be brief.", model: null, parameters: { ...DEFAULT_PARAMETERS } };

function draftWith(parameters: Partial<Record<keyof ChatSettings["parameters"], string>>, systemPrompt = base.system_prompt) {
  const draft = toDraft(base);
  return { ...draft, system_prompt: systemPrompt, parameters: { ...draft.parameters, ...parameters } };
}

describe("formatNumber", () => {
  it("drops float noise from slider steps", () => {
    expect(formatNumber(0.1 + 0.2)).toBe("0.3");
    expect(formatNumber(0.7000000000000001)).toBe("0.7");
    expect(formatNumber(1024)).toBe("1024");
    expect(formatNumber(0.95)).toBe("0.95");
  });
});

describe("validateDraft", () => {
  it("accepts the defaults and the bounds themselves", () => {
    expect(validateDraft(toDraft(base))).toEqual({});
    expect(validateDraft(draftWith({ max_tokens: "1", temperature: "0", top_p: "0", past_messages: "0" }))).toEqual({});
    expect(validateDraft(draftWith({ max_tokens: "32768", temperature: "2", top_p: "1", past_messages: "100" }))).toEqual({});
  });

  it("reports each field's problem", () => {
    expect(validateDraft(draftWith({ max_tokens: "", temperature: "abc", top_p: "1.05", past_messages: "2.5" }))).toEqual({
      max_tokens: "required",
      temperature: "not_a_number",
      top_p: "out_of_range",
      past_messages: "not_whole",
    });
    expect(validateDraft(draftWith({ max_tokens: "0", temperature: "-0.1", past_messages: "101" }))).toEqual({
      max_tokens: "out_of_range",
      temperature: "out_of_range",
      past_messages: "out_of_range",
    });
    expect(validateDraft(draftWith({ max_tokens: "32769" }))).toEqual({ max_tokens: "out_of_range" });
  });

  it("allows surrounding spaces but not a system prompt over the limit", () => {
    expect(validateDraft(draftWith({ temperature: " 1.5 " }))).toEqual({});
    expect(validateDraft(draftWith({}, "x".repeat(MAX_SYSTEM_PROMPT_CHARS)))).toEqual({});
    expect(validateDraft(draftWith({}, "x".repeat(MAX_SYSTEM_PROMPT_CHARS + 1)))).toEqual({ system_prompt: "too_long" });
  });
});

describe("parseDraft", () => {
  it("gives numbers for a valid draft and null for an invalid one", () => {
    expect(parseDraft(draftWith({ temperature: "1.2", max_tokens: "2048" }))).toEqual({
      ...base,
      parameters: { ...DEFAULT_PARAMETERS, temperature: 1.2, max_tokens: 2048 },
    });
    expect(parseDraft(draftWith({ temperature: "3" }))).toBeNull();
  });

  it("round-trips settings unchanged", () => {
    const settings: ChatSettings = { system_prompt: "", model: "gpt-4o", parameters: { max_tokens: 1, temperature: 0.1, top_p: 0.35, past_messages: 0 } };
    expect(parseDraft(toDraft(settings))).toEqual(settings);
  });
});

describe("diffSettings", () => {
  it("is empty when nothing changed", () => {
    const patch = diffSettings(base, parseDraft(toDraft(base))!);
    expect(patch).toEqual({});
    expect(isEmptyPatch(patch)).toBe(true);
  });

  it("has only the changed fields", () => {
    expect(diffSettings(base, { ...base, system_prompt: "Be thorough." })).toEqual({ system_prompt: "Be thorough." });
    expect(diffSettings(base, { ...base, model: "gpt-4o" })).toEqual({ model: "gpt-4o" });
    expect(diffSettings({ ...base, model: "gpt-4o" }, base)).toEqual({ model: null });
  });

  it("sends the parameters whole when any of them changed", () => {
    const after = { ...base, parameters: { ...base.parameters, top_p: 0.5 } };
    const patch = diffSettings(base, after);
    expect(patch).toEqual({ parameters: { ...DEFAULT_PARAMETERS, top_p: 0.5 } });
    expect(patch.parameters).not.toBe(after.parameters);
  });

  it("combines several changes", () => {
    const after: ChatSettings = { system_prompt: "", model: "m", parameters: { ...DEFAULT_PARAMETERS, past_messages: 3 } };
    expect(diffSettings(base, after)).toEqual({ system_prompt: "", model: "m", parameters: after.parameters });
  });
});

describe("presets", () => {
  it("checks names as the server does: trimmed, 1 to the limit", () => {
    expect(presetNameError("  ", 100)).toBe("required");
    expect(presetNameError(" Sales ", 100)).toBeNull();
    expect(presetNameError("x".repeat(100), 100)).toBeNull();
    expect(presetNameError(` ${"x".repeat(101)} `, 100)).toBe("too_long");
  });

  it("turns a preset into chat settings", () => {
    const preset = {
      id: "p1",
      name: "Sales",
      system_prompt: "Sell.",
      parameters: { ...DEFAULT_PARAMETERS, temperature: 1 },
      model: null,
      created_at: "2026-01-01T00:00:00Z",
      updated_at: "2026-01-01T00:00:00Z",
    };
    expect(settingsOfPreset(preset)).toEqual({ system_prompt: "Sell.", model: null, parameters: preset.parameters });
  });
});
