import { useQuery } from "@tanstack/react-query";
import { api, dataOf } from "../../api/client";
import { queryKeys } from "../../api/keys";
import type { MeRead } from "./types";

/** Who is signed in (GET /api/me). */
export function useMe() {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: async ({ signal }) => dataOf(await api.GET("/api/me", { signal })) as MeRead,
    staleTime: 5 * 60_000,
  });
}
