// The app, or the page that stands in for it: sign in (401 not_signed_in from any call) or no
// access (403 not_allowed from /api/me). The pages are lazy chunks: a signed-in user never
// downloads them. Decisions: gate.ts.
import { useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, type ReactNode } from "react";
import { queryKeys } from "../../../api/keys";
import { useMe } from "../api";
import { useGateState } from "../gate";
import { takeAuthError } from "../signIn";

// One chunk for both pages: fewer shared pieces split out of the initial bundle.
const loadPages = () => import("./AuthPages");
const SignInPage = lazy(() => loadPages().then((pages) => ({ default: pages.SignInPage })));
const NotAllowedPage = lazy(() => loadPages().then((pages) => ({ default: pages.NotAllowedPage })));

export function AuthGate({ children }: { children: ReactNode }) {
  // A failed sign-in's `?auth_error=`: out of the address bar at once, kept for the sign-in page.
  const authError = takeAuthError();
  // Asked at once (not only when the header mounts): its answer decides what is shown.
  const me = useMe();
  const { page, recheck } = useGateState();
  const queryClient = useQueryClient();

  // Another call was refused as not allowed: /api/me says whether that is the whole app.
  useEffect(() => {
    if (recheck > 0) void queryClient.invalidateQueries({ queryKey: queryKeys.me });
  }, [recheck, queryClient]);

  if (page?.page === "signIn") {
    return (
      <Suspense fallback={null}>
        <SignInPage authError={authError} sessionEnded={me.data !== undefined} />
      </Suspense>
    );
  }
  if (page?.page === "notAllowed") {
    return (
      <Suspense fallback={null}>
        <NotAllowedPage name={page.name ?? me.data?.name ?? null} detail={page.detail} />
      </Suspense>
    );
  }
  return children;
}
