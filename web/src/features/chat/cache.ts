// Changes to a cached conversation (queryKeys.conversation(id)): optimistic messages with
// temporary ids, their real ids once the server names them, and answers' ends. Pure: each
// returns a new ConversationDetail (TanStack Query needs new objects to notice a change)
// and keeps untouched messages as they were (so memoised rows do not re-render).
import type { Schemas } from "../../api/client";

export type Message = Schemas["MessageRead"];
export type Conversation = Schemas["ConversationDetail"];

const LOCAL_PREFIX = "local-";
let counter = 0;

/** A temporary id for a message the server has not named yet. */
export function localId(): string {
  counter += 1;
  return `${LOCAL_PREFIX}${Date.now().toString(36)}-${counter}`;
}

export function isLocalId(id: string): boolean {
  return id.startsWith(LOCAL_PREFIX);
}

/** A creation time after every message's, so an optimistic message sorts last whatever the clocks say. */
export function nextCreatedAt(conversation: Pick<Conversation, "messages"> | undefined): string {
  let latest = Date.now();
  for (const message of conversation?.messages ?? []) {
    const time = Date.parse(message.created_at);
    if (!Number.isNaN(time) && time >= latest) latest = time + 1;
  }
  return new Date(latest).toISOString();
}

type DraftFields = Pick<Message, "id" | "conversation_id" | "parent_id" | "role" | "content" | "status" | "created_at">;

/** A message made here (optimistic), with the fields the server fills left empty. */
export function draftMessage(fields: DraftFields & Partial<Message>): Message {
  return { model: null, usage: null, finish_reason: null, error: null, edited_at: null, feedback: null, ...fields };
}

export function addMessages(conversation: Conversation, messages: readonly Message[], currentId: string): Conversation {
  return { ...conversation, messages: [...conversation.messages, ...messages], current_message_id: currentId };
}

export function removeMessages(conversation: Conversation, ids: ReadonlySet<string>, currentId: string | null): Conversation {
  return { ...conversation, messages: conversation.messages.filter((m) => !ids.has(m.id)), current_message_id: currentId };
}

// A renamed message keeps its temporary id as its React key: its row stays mounted (no flash,
// and whatever the row holds, such as focus, survives).
const rowKeys = new Map<string, string>();

/** The React key of a message's row. */
export function rowKey(id: string): string {
  return rowKeys.get(id) ?? id;
}

/** Give temporary ids their real names, in the messages, their children and the current pointer. */
export function renameMessages(conversation: Conversation, names: ReadonlyMap<string, string>): Conversation {
  for (const [from, to] of names) rowKeys.set(to, rowKey(from));
  const rename = (id: string | null) => (id !== null ? (names.get(id) ?? id) : null);
  // A renamed id may already be there (a refetch brought the real message): keep one copy.
  const present = new Set(conversation.messages.map((m) => m.id));
  const messages: Message[] = [];
  for (const message of conversation.messages) {
    const id = rename(message.id)!;
    if (id !== message.id && present.has(id)) continue;
    const parent = rename(message.parent_id);
    messages.push(id === message.id && parent === message.parent_id ? message : { ...message, id, parent_id: parent });
  }
  return { ...conversation, messages, current_message_id: rename(conversation.current_message_id) };
}

export function patchMessage(conversation: Conversation, id: string, patch: Partial<Message>): Conversation {
  let found = false;
  const messages = conversation.messages.map((message) => {
    if (message.id !== id) return message;
    found = true;
    return { ...message, ...patch };
  });
  return found ? { ...conversation, messages } : conversation;
}
