// The app's keyboard shortcuts as the dialog lists them (see web/README.md, app/shortcuts.ts and
// the chat view, which implement them).

export type ShortcutAction = "send" | "newLine" | "newChat" | "focusInput" | "stop";

export interface Shortcut {
  action: ShortcutAction;
  /** Each entry is one key combination; its parts are pressed together. */
  keys: string[][];
}

export function isApplePlatform(nav: Pick<Navigator, "platform" | "userAgent"> = navigator): boolean {
  return /Mac|iPhone|iPad|iPod/i.test(nav.platform || nav.userAgent);
}

export function shortcutList(apple: boolean): Shortcut[] {
  const mod = apple ? "⌘" : "Ctrl";
  return [
    { action: "send", keys: [["Enter"]] },
    { action: "newLine", keys: [["Shift", "Enter"]] },
    { action: "newChat", keys: [[mod, "Shift", "O"]] },
    { action: "focusInput", keys: [["Shift", "Esc"]] },
    { action: "stop", keys: [["Esc"]] },
  ];
}
