import { useQuery } from "@tanstack/react-query";
import { api, dataOf, type Schemas } from "../../../api/client";
import { queryKeys } from "../../../api/keys";

/** The models the user can pick (GET /api/models); they change only when the server restarts. */
export function useModels() {
  return useQuery({
    queryKey: queryKeys.models,
    queryFn: async ({ signal }) => dataOf(await api.GET("/api/models", { signal })),
    staleTime: 5 * 60_000,
  });
}

/** The model a chat runs on: its own, or the default when it has none; undefined when unknown. */
export function effectiveModel(list: Schemas["ModelList"] | undefined, id: string | null): Schemas["ModelRead"] | undefined {
  return list?.items.find((m) => m.id === (id ?? list.default));
}
