// What a key press in the message box does. Enter sends, Shift+Enter is a new line, and an
// Enter that confirms an IME conversion (Japanese, Chinese, Korean input) must never send.
// Browsers report that Enter differently:
// - Chrome, Edge, Firefox: keydown with `isComposing` true (compositionend comes after);
// - Safari: compositionend first, then a keydown with `isComposing` false but keyCode 229;
// - some IMEs: keyCode 229 ("Process") on every key while composing.

export type EnterAction = "send" | "newline" | "none";

export interface KeyInfo {
  key: string;
  shiftKey: boolean;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  /** KeyboardEvent.isComposing */
  isComposing: boolean;
  /** KeyboardEvent.keyCode (deprecated, but the only sign of Safari's confirming Enter) */
  keyCode: number;
}

export interface CompositionState {
  /** Between compositionstart and compositionend. */
  composing: boolean;
  /** ms since the last compositionend (Infinity if none). */
  sinceCompositionEnd: number;
}

/** A keydown this soon after compositionend is the Enter that ended the composition (Safari). */
export const COMPOSITION_END_GRACE_MS = 50;

export function enterAction(key: KeyInfo, composition: CompositionState): EnterAction {
  if (key.key !== "Enter") return "none";
  if (key.isComposing || key.keyCode === 229 || composition.composing) return "none";
  if (composition.sinceCompositionEnd < COMPOSITION_END_GRACE_MS) return "none";
  if (key.shiftKey || key.altKey) return "newline";
  return "send"; // Enter, and Ctrl/Cmd+Enter as well
}

/** Tracks composition events for one text box; feed it the box's composition events. */
export class CompositionTracker {
  private composing = false;
  private endedAt = -Infinity;

  constructor(private readonly now: () => number = () => performance.now()) {}

  start(): void {
    this.composing = true;
  }

  end(): void {
    this.composing = false;
    this.endedAt = this.now();
  }

  state(): CompositionState {
    return { composing: this.composing, sinceCompositionEnd: this.now() - this.endedAt };
  }
}
