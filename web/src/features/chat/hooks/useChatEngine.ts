import { useQueryClient } from "@tanstack/react-query";
import { useSyncExternalStore } from "react";
import { engineFor, type ChatEngine } from "../engine";
import type { StreamSnapshot } from "../streamStore";

export function useChatEngine(): ChatEngine {
  return engineFor(useQueryClient());
}

/** The live text of an answer being written, or undefined; re-renders at most once per frame. */
export function useStream(engine: ChatEngine, messageId: string): StreamSnapshot | undefined {
  const { streams } = engine;
  return useSyncExternalStore(
    (listener) => streams.subscribe(messageId, listener),
    () => streams.get(messageId),
  );
}
