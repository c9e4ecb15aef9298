import { useQuery } from "@tanstack/react-query";
import { api, dataOf } from "../../api/client";
import { queryKeys } from "../../api/keys";

/** Who is signed in (GET /api/me). */
export function useMe() {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: async ({ signal }) => dataOf(await api.GET("/api/me", { signal })),
    staleTime: 5 * 60_000,
  });
}
