import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { api, dataOf } from "../../../api/client";
import { queryKeys } from "../../../api/keys";
import { DEFAULT_PARAMETERS, DEFAULT_SYSTEM_PROMPT, MAX_SYSTEM_PROMPT_CHARS } from "../defaults";
import type { ChatSettings } from "../types";

/** The server's defaults and limits (GET /api/config); they change only when the server restarts. */
export function useServerConfig() {
  return useQuery({
    queryKey: queryKeys.config,
    queryFn: async ({ signal }) => dataOf(await api.GET("/api/config", { signal })),
    staleTime: Infinity,
  });
}

export interface ChatDefaults {
  settings: ChatSettings;
  maxSystemPromptChars: number;
}

/**
 * What a new chat starts with, as this server configures it. Until the server has answered,
 * the values of a server with default settings (the schema's defaults), so nothing waits on it.
 */
export function useChatDefaults(): ChatDefaults {
  const { data } = useServerConfig();
  return useMemo(
    () => ({
      settings: {
        system_prompt: data?.default_system_prompt ?? DEFAULT_SYSTEM_PROMPT,
        parameters: data?.default_parameters ?? { ...DEFAULT_PARAMETERS },
        model: null,
      },
      maxSystemPromptChars: data?.max_system_prompt_chars ?? MAX_SYSTEM_PROMPT_CHARS,
    }),
    [data],
  );
}
