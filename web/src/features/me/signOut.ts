// Sign-out: POST /auth/logout (outside the typed /api client, so a small fetch with the shared
// CSRF helper), then the browser leaves for where the server says. Used by the account menu and
// the not-allowed page, both lazy chunks: nothing here is in the initial bundle.
import { useCallback, useRef, useState } from "react";
import { apiErrorOf, isSignedOut } from "../../api/client";
import { addCsrfHeader } from "../../api/csrf";
import { leaveFor } from "./signIn";

export const LOGOUT_PATH = "/auth/logout";

/** Where sign-out may send the browser: a local path or an http(s) URL (the identity provider's). */
export function safeRedirect(value: unknown): string {
  if (typeof value !== "string") return "/";
  if (value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\")) return value;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : "/";
  } catch {
    return "/";
  }
}

/** What this tab kept for the user (the message box's unsent text) goes with the session. */
function forgetTab(): void {
  try {
    sessionStorage.clear();
  } catch {
    // no storage
  }
}

/**
 * End the session (POST /auth/logout, outside the typed /api client) and say where the
 * browser goes next: the identity provider's sign-out, or "/". Throws an ApiError on failure.
 */
export async function signOut(): Promise<string> {
  const response = await fetch(LOGOUT_PATH, {
    method: "POST",
    credentials: "same-origin",
    headers: addCsrfHeader("POST", new Headers({ Accept: "application/json" })),
  });
  if (!response.ok) throw await apiErrorOf(response);
  forgetTab();
  const body = (await response.json().catch(() => ({}))) as { redirect_url?: unknown };
  return safeRedirect(body.redirect_url);
}

export type SignOutState = { status: "idle" } | { status: "running" } | { status: "failed"; error: unknown };

/** Sign out, then leave for where the server says; `running` lasts until the page goes. */
export function useSignOut(): [SignOutState, () => void] {
  const [state, setState] = useState<SignOutState>({ status: "idle" });
  const running = useRef(false);
  const run = useCallback(() => {
    if (running.current) return;
    running.current = true;
    setState({ status: "running" });
    signOut().then(
      (redirect) => leaveFor(redirect),
      (error: unknown) => {
        // No session left to end: the start page shows the sign-in page.
        if (isSignedOut(error)) {
          forgetTab();
          leaveFor("/");
          return;
        }
        running.current = false;
        setState({ status: "failed", error });
      },
    );
  }, []);
  return [state, run];
}
