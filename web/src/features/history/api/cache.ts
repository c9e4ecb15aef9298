// Pure updates of the cached conversation lists (TanStack infinite-query data: pages of
// ConversationList). Other queries may live under the same key prefix, so anything that is
// not a list of pages is handed back unchanged.
import type { InfiniteData } from "@tanstack/react-query";
import type { Schemas } from "../../../api/client";

export type Conversation = Schemas["ConversationRead"];
export type ConversationPage = Schemas["ConversationList"];
export type ConversationPages = InfiniteData<ConversationPage, unknown>;

export function isConversationPages(data: unknown): data is ConversationPages {
  if (typeof data !== "object" || data === null) return false;
  const pages = (data as { pages?: unknown }).pages;
  return Array.isArray(pages) && pages.every((page) => Array.isArray((page as { items?: unknown } | null)?.items));
}

/** Map every conversation of every page; `null` drops it. The same object back when nothing changed. */
export function mapConversations(data: unknown, map: (conversation: Conversation) => Conversation | null): unknown {
  if (!isConversationPages(data)) return data;
  let changed = false;
  const pages = data.pages.map((page) => {
    let pageChanged = false;
    const items: Conversation[] = [];
    for (const conversation of page.items) {
      const next = map(conversation);
      if (next !== conversation) pageChanged = true;
      if (next) items.push(next);
    }
    if (!pageChanged) return page;
    changed = true;
    return { ...page, items };
  });
  return changed ? { ...data, pages } : data;
}

export function renameIn(data: unknown, id: string, title: string): unknown {
  return mapConversations(data, (c) => (c.id === id && c.title !== title ? { ...c, title } : c));
}

export function removeFrom(data: unknown, id: string): unknown {
  return mapConversations(data, (c) => (c.id === id ? null : c));
}

/** Every loaded conversation in order, without duplicates (a page boundary can shift between fetches). */
export function flattenPages(data: ConversationPages | undefined): Conversation[] {
  if (!data) return [];
  const seen = new Set<string>();
  const all: Conversation[] = [];
  for (const page of data.pages) {
    for (const conversation of page.items) {
      if (seen.has(conversation.id)) continue;
      seen.add(conversation.id);
      all.push(conversation);
    }
  }
  return all;
}
