// The sign-in gate: which page the app shows instead of itself, decided from API errors.
// Every failed call reports here (api/client.ts onApiError), so a session that ends mid-use
// shows the sign-in page whichever request noticed first.
import { useSyncExternalStore } from "react";
import { ApiError, isSignedOut, onApiError } from "../../api/client";

export type AuthPage =
  | { page: "signIn" }
  /** Signed in, but the server refuses this user (missing role, tenant or group): `detail` says what. */
  | { page: "notAllowed"; detail: string; name: string | null };

/** What an API error means for the gate: a page to show, a reason to ask /api/me again, or nothing. */
export type GateDecision = "signIn" | "notAllowed" | "recheck" | null;

export const ME_PATH = "/api/me";

export function gateDecision(error: unknown, schemaPath: string): GateDecision {
  if (isSignedOut(error)) return "signIn";
  if (error instanceof ApiError && error.status === 403 && error.code === "not_allowed") {
    // Only /api/me speaks for the whole app; elsewhere the answer is re-checked there.
    return schemaPath === ME_PATH ? "notAllowed" : "recheck";
  }
  return null;
}

export interface GateState {
  page: AuthPage | null;
  /** Bumped when /api/me should be asked again. */
  recheck: number;
}

/** The next state after an error: sign-in wins over everything and is final (it leaves the page). */
export function nextGateState(state: GateState, error: unknown, schemaPath: string): GateState {
  if (state.page?.page === "signIn") return state;
  switch (gateDecision(error, schemaPath)) {
    case "signIn":
      return { ...state, page: { page: "signIn" } };
    case "notAllowed": {
      const problem = error instanceof ApiError ? error : null;
      const name = typeof problem?.problem.user_name === "string" ? problem.problem.user_name : null;
      return { ...state, page: { page: "notAllowed", detail: problem?.message ?? "", name } };
    }
    case "recheck":
      return state.page ? state : { ...state, recheck: state.recheck + 1 };
    default:
      return state;
  }
}

let state: GateState = { page: null, recheck: 0 };
const listeners = new Set<() => void>();

export function reportAuthError(error: unknown, schemaPath: string): void {
  const next = nextGateState(state, error, schemaPath);
  if (next === state) return;
  state = next;
  for (const listener of listeners) listener();
}

onApiError(reportAuthError);

export function useGateState(): GateState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => state,
  );
}
