// Placeholder: replaced by the chat feature.
export function ChatView(props: { conversationId: string | null; onOpenConversation: (id: string, options?: { replace?: boolean }) => void; onNewChat: () => void }) {
  return <div id="chat-input">{props.conversationId ?? "new"}</div>;
}
