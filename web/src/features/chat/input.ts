// The message box: the skip link, the shortcuts and the chat itself all aim at it.
export const CHAT_INPUT_ID = "chat-input";

export function focusChatInput(): void {
  document.getElementById(CHAT_INPUT_ID)?.focus();
}
