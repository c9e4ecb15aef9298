import type { Schemas } from "../../api/client";

/** What a conversation (or a new chat's draft) is configured with. */
export interface ChatSettings {
  system_prompt: string;
  parameters: Schemas["Parameters"];
  model: string | null;
}

export type ChatSettingsPatch = Partial<ChatSettings>;
