// The app's two places: a new chat (`/`) and a conversation (`/c/<id>`). History API, no router library.
import { useCallback, useSyncExternalStore } from "react";

export type Route = { name: "new" } | { name: "conversation"; id: string };

export function parseRoute(pathname: string): Route {
  const match = /^\/c\/([A-Za-z0-9_-]{1,64})\/?$/.exec(pathname);
  return match ? { name: "conversation", id: match[1]! } : { name: "new" };
}

export function pathOf(route: Route): string {
  return route.name === "conversation" ? `/c/${route.id}` : "/";
}

const listeners = new Set<() => void>();
function subscribe(listener: () => void) {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", listener);
  };
}

export function navigate(route: Route, { replace = false } = {}): void {
  const path = pathOf(route);
  if (path === window.location.pathname) return;
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  for (const listener of listeners) listener();
}

export function useRoute(): [Route, (route: Route, options?: { replace?: boolean }) => void] {
  const pathname = useSyncExternalStore(subscribe, () => window.location.pathname);
  const go = useCallback((route: Route, options?: { replace?: boolean }) => navigate(route, options), []);
  return [parseRoute(pathname), go];
}
