// Where the sign-in button goes, and the `?auth_error=<code>` the server's callback sends back
// when a sign-in failed (read once at start-up and taken out of the address bar).

export const LOGIN_PATH = "/auth/login";
export const AUTH_ERROR_PARAM = "auth_error";

/** The page to come back to after signing in: this path and query, as a local path. */
export function returnToOf(location: { pathname: string; search: string }): string {
  const params = new URLSearchParams(location.search);
  params.delete(AUTH_ERROR_PARAM);
  const query = params.toString();
  // "//host" would be another site to a browser (the server refuses it too): one slash only.
  const path = "/" + location.pathname.replace(/^\/+/, "");
  return query ? `${path}?${query}` : path;
}

/** The URL that starts a sign-in and comes back to `returnTo`. */
export function signInUrl(returnTo: string): string {
  return `${LOGIN_PATH}?return_to=${encodeURIComponent(returnTo)}`;
}

/** Leave the app for another page (a full page load): sign-in, or sign-out at the identity provider. */
export function leaveFor(url: string): void {
  window.location.assign(url);
}

/** A code shown as is: letters, digits and `_.-` only, else "unknown". */
function cleanCode(code: string): string {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(code) ? code : "unknown";
}

/** The failed sign-in's code in a query string, and that query string without it. */
export function splitAuthError(search: string): { code: string | null; search: string } {
  const params = new URLSearchParams(search);
  const code = params.get(AUTH_ERROR_PARAM);
  if (code === null) return { code: null, search };
  params.delete(AUTH_ERROR_PARAM);
  const rest = params.toString();
  return { code: cleanCode(code), search: rest ? `?${rest}` : "" };
}

let taken: { code: string | null } | null = null;

/** The `auth_error` this page was opened with (null if none), removed from the URL on first call. */
export function takeAuthError(): string | null {
  if (taken) return taken.code;
  const { pathname, search, hash } = window.location;
  const split = splitAuthError(search);
  taken = { code: split.code };
  if (split.code !== null) history.replaceState(history.state, "", pathname + split.search + hash);
  return split.code;
}
