// App-wide keyboard shortcuts, as in ChatGPT: Ctrl/Cmd+Shift+O new chat, Shift+Esc focus the input.
// Stop (Esc while an answer streams) belongs to the chat view, which knows what is streaming.
import { useEffect } from "react";
import { focusChatInput } from "../features/chat";

export function useShortcuts({ newChat }: { newChat: () => void }): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.isComposing) return;
      const mod = event.ctrlKey || event.metaKey;
      if (mod && event.shiftKey && event.key.toLowerCase() === "o") {
        event.preventDefault();
        newChat();
      } else if (event.shiftKey && event.key === "Escape") {
        event.preventDefault();
        focusChatInput();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [newChat]);
}
