import { describe, expect, it } from "vitest";
import { errorMessages, errorText } from "./errorText";

describe("errorText", () => {
  it("keeps the server's specific English detail in English", () => {
    expect(errorText("en", "rate_limited", "Try again in 30 seconds.")).toBe("Try again in 30 seconds.");
  });

  it("translates a known code, whatever the English detail says", () => {
    expect(errorText("ja", "rate_limited", "Try again in 30 seconds.")).toBe(errorMessages.ja.rate_limited);
  });

  it("falls back to the detail for codes it does not know, and to the code without a detail", () => {
    expect(errorText("ja", "simulated_500", "Simulated failure.")).toBe("Simulated failure.");
    expect(errorText("en", "interrupted", null)).toBe(errorMessages.en.interrupted);
    expect(errorText("ja", "odd_code", null)).toBe("odd_code");
    expect(errorText("en", null, null)).toBeNull();
  });
});
