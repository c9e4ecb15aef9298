import { describe, expect, it } from "vitest";
import { COMPOSITION_END_GRACE_MS, CompositionTracker, enterAction, type KeyInfo } from "./enterKey";

const enter: KeyInfo = {
  key: "Enter",
  shiftKey: false,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  isComposing: false,
  keyCode: 13,
};
const idle = { composing: false, sinceCompositionEnd: Infinity };

describe("enterAction", () => {
  it("sends on Enter", () => {
    expect(enterAction(enter, idle)).toBe("send");
  });

  it("sends on Ctrl/Cmd+Enter too", () => {
    expect(enterAction({ ...enter, ctrlKey: true }, idle)).toBe("send");
    expect(enterAction({ ...enter, metaKey: true }, idle)).toBe("send");
  });

  it("makes a new line on Shift+Enter (and Alt+Enter)", () => {
    expect(enterAction({ ...enter, shiftKey: true }, idle)).toBe("newline");
    expect(enterAction({ ...enter, altKey: true }, idle)).toBe("newline");
  });

  it("ignores other keys", () => {
    expect(enterAction({ ...enter, key: "a", keyCode: 65 }, idle)).toBe("none");
  });

  it("does not send the Enter that confirms a conversion (Chrome, Firefox: isComposing)", () => {
    expect(enterAction({ ...enter, isComposing: true }, idle)).toBe("none");
  });

  it("does not send on keyCode 229 (IME processing)", () => {
    expect(enterAction({ ...enter, keyCode: 229 }, idle)).toBe("none");
  });

  it("does not send between compositionstart and compositionend", () => {
    expect(enterAction(enter, { composing: true, sinceCompositionEnd: Infinity })).toBe("none");
  });

  it("does not send right after compositionend (Safari fires it before the keydown)", () => {
    expect(enterAction(enter, { composing: false, sinceCompositionEnd: 1 })).toBe("none");
    expect(enterAction(enter, { composing: false, sinceCompositionEnd: COMPOSITION_END_GRACE_MS + 1 })).toBe("send");
  });
});

describe("CompositionTracker", () => {
  it("follows composition events with its clock", () => {
    let now = 1000;
    const tracker = new CompositionTracker(() => now);
    expect(enterAction(enter, tracker.state())).toBe("send");
    tracker.start();
    expect(enterAction(enter, tracker.state())).toBe("none");
    tracker.end(); // Safari: compositionend, then keydown in the same moment
    expect(enterAction(enter, tracker.state())).toBe("none");
    now += 500; // a second, deliberate Enter
    expect(enterAction(enter, tracker.state())).toBe("send");
  });
});
