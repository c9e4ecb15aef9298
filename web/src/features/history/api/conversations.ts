// Server state of the history: the paged, searchable list and the rename and delete mutations.
// Every list lives under queryKeys.conversations, so other features refresh it by invalidating
// that prefix when a chat is created or gets its title.
import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { ApiError, api, dataOf } from "../../../api/client";
import { queryKeys } from "../../../api/keys";
import { removeFrom, renameIn, type Conversation } from "./cache";

export const PAGE_SIZE = 30;

export function useConversationList(q: string) {
  return useInfiniteQuery({
    queryKey: queryKeys.conversationList(q),
    queryFn: async ({ pageParam, signal }) =>
      dataOf(
        await api.GET("/api/conversations", {
          params: { query: { limit: PAGE_SIZE, cursor: pageParam ?? undefined, q: q || undefined } },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    // While a new search runs, keep showing the last results instead of a blank list.
    placeholderData: keepPreviousData,
  });
}

/** The download address of a conversation's export; the server names the file (Content-Disposition). */
export function exportHref(id: string, format: "markdown" | "json"): string {
  return `/api/conversations/${encodeURIComponent(id)}/export?format=${format}`;
}

function withTitle(data: unknown, title: string): unknown {
  return typeof data === "object" && data !== null && "title" in data ? { ...data, title } : data;
}

interface RenameVariables {
  id: string;
  title: string;
  previousTitle: string;
}

/** Rename, optimistically: the new title shows at once and goes back if the server refuses it. */
export function useRenameConversation() {
  const queryClient = useQueryClient();
  const setTitle = (id: string, title: string) => {
    queryClient.setQueriesData({ queryKey: queryKeys.conversations }, (data: unknown) => renameIn(data, id, title));
    queryClient.setQueryData(queryKeys.conversation(id), (data: unknown) => withTitle(data, title));
  };
  return useMutation({
    mutationFn: async ({ id, title }: RenameVariables): Promise<Conversation> =>
      dataOf(await api.PATCH("/api/conversations/{conversation_id}", { params: { path: { conversation_id: id } }, body: { title } })),
    onMutate: async ({ id, title }) => {
      // A list fetch already under way would bring the old title back.
      await queryClient.cancelQueries({ queryKey: queryKeys.conversations });
      setTitle(id, title);
    },
    onError: (_error, { id, previousTitle }) => setTitle(id, previousTitle),
    onSuccess: (conversation) => setTitle(conversation.id, conversation.title),
    onSettled: (_data, _error, { id }) => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.conversation(id) });
      // The server moved the chat to the top (it was updated): let the next look at a list refetch it,
      // without reordering the list under the user's pointer now.
      void queryClient.invalidateQueries({ queryKey: queryKeys.conversations, refetchType: "none" });
    },
  });
}

/**
 * Delete. The list changes once the server agrees (the dialog shows the wait). `onDeleted` runs first,
 * so a chat pane showing the conversation can leave it before its cached copy is dropped.
 */
export function useDeleteConversation(onDeleted: (id: string) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      try {
        await api.DELETE("/api/conversations/{conversation_id}", { params: { path: { conversation_id: id } } });
      } catch (error) {
        // Deleted already (another tab): the outcome the user wants.
        if (!(error instanceof ApiError && error.status === 404)) throw error;
      }
    },
    onSuccess: async (_data, id) => {
      onDeleted(id);
      await queryClient.cancelQueries({ queryKey: queryKeys.conversations });
      queryClient.setQueriesData({ queryKey: queryKeys.conversations }, (data: unknown) => removeFrom(data, id));
      // After the navigation has rendered, so no mounted view refetches the deleted conversation.
      setTimeout(() => queryClient.removeQueries({ queryKey: queryKeys.conversation(id) }), 0);
    },
  });
}
