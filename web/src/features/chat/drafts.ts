// Unsent text, per conversation ("new" for a new chat), kept in sessionStorage: it survives a
// reload and the round trip through sign-in when a session ends mid-use, and goes with the tab.
// Memory stands in when storage is unavailable (private modes, quota).

const PREFIX = "scalechat.draft.";
/** The draft key of a new chat (a conversation's is its id). */
export const NEW_CHAT_DRAFT = "new";
const memory = new Map<string, string>();

function storage(): Storage | null {
  try {
    return typeof sessionStorage === "undefined" ? null : sessionStorage;
  } catch {
    return null;
  }
}

export function getDraft(key: string): string {
  try {
    const stored = storage()?.getItem(PREFIX + key);
    if (stored !== null && stored !== undefined) return stored;
  } catch {
    // fall through to memory
  }
  return memory.get(key) ?? "";
}

export function setDraft(key: string, text: string): void {
  if (text === "") {
    clearDraft(key);
    return;
  }
  memory.set(key, text);
  try {
    storage()?.setItem(PREFIX + key, text);
  } catch {
    // kept in memory only
  }
}

export function clearDraft(key: string): void {
  memory.delete(key);
  try {
    storage()?.removeItem(PREFIX + key);
  } catch {
    // nothing stored
  }
}

/** Put back a question the server refused before taking it (signed out): nothing typed since is lost. */
export function restoreDraft(key: string, text: string): void {
  const current = getDraft(key);
  if (current === text || current.startsWith(text + "\n\n")) return;
  setDraft(key, current.trim() === "" ? text : `${text}\n\n${current}`);
}
