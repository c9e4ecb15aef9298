// TanStack Query keys shared by features (one place, so invalidation cannot miss).
export const queryKeys = {
  me: ["me"] as const,
  config: ["config"] as const,
  models: ["models"] as const,
  presets: ["presets"] as const,
  conversations: ["conversations"] as const,
  conversationList: (q: string) => ["conversations", "list", q] as const,
  conversation: (id: string) => ["conversation", id] as const,
};
