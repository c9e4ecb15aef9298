import { useQuery } from "@tanstack/react-query";
import { api, dataOf } from "../../../api/client";
import { queryKeys } from "../../../api/keys";
import type { Conversation } from "../cache";

/** A conversation with all its messages (every branch). */
export function useConversation(conversationId: string | null) {
  return useQuery<Conversation>({
    queryKey: queryKeys.conversation(conversationId ?? ""),
    queryFn: async ({ signal }) =>
      dataOf(
        await api.GET("/api/conversations/{conversation_id}", {
          params: { path: { conversation_id: conversationId! } },
          signal,
        }),
      ),
    enabled: conversationId !== null,
    // A missing conversation stays missing; other failures get the app's one retry.
    retry: (count, error) => count < 1 && !("status" in error && (error as { status: number }).status === 404),
  });
}
