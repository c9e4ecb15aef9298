// Placeholder: replaced by the history feature.
export function HistorySidebar(props: { activeId: string | null; onSelect: (id: string) => void; onNewChat: () => void }) {
  return <button onClick={props.onNewChat}>New chat {props.activeId}</button>;
}
