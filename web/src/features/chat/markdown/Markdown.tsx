// Placeholder: replaced by the markdown work (marked + DOMPurify, lazy highlighting).
export function Markdown({ text }: { text: string; streaming?: boolean }) {
  return <div style={{ whiteSpace: "pre-wrap" }}>{text}</div>;
}
