import { describe, expect, it } from "vitest";
import { isApplePlatform, shortcutList } from "./shortcuts";

describe("shortcuts", () => {
  it("uses ⌘ on Apple platforms and Ctrl elsewhere", () => {
    expect(isApplePlatform({ platform: "MacIntel", userAgent: "" })).toBe(true);
    expect(isApplePlatform({ platform: "", userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)" })).toBe(true);
    expect(isApplePlatform({ platform: "Win32", userAgent: "Mozilla/5.0 (Windows NT 10.0)" })).toBe(false);
    expect(shortcutList(true).find((s) => s.action === "newChat")!.keys).toEqual([["⌘", "Shift", "O"]]);
    expect(shortcutList(false).find((s) => s.action === "newChat")!.keys).toEqual([["Ctrl", "Shift", "O"]]);
  });

  it("lists every action once", () => {
    const actions = shortcutList(false).map((s) => s.action);
    expect(new Set(actions).size).toBe(actions.length);
    expect(actions).toEqual(["send", "newLine", "newChat", "focusInput", "stop"]);
  });
});
