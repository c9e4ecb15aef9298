// CSRF: with a cookie session the server refuses a state-changing request unless it carries
// the CSRF cookie's value in the X-CSRF-Token header (double submit; the cookie is readable by
// script on purpose). Over HTTPS the cookie is `__Host-scalechat_csrf`, on plain HTTP
// (loopback) `scalechat_csrf`. Local mode sets no cookie, and then no header is sent.
// Used by the API client's middleware (every typed call, the streaming POSTs included) and by
// the few hand-written fetches (POST /auth/logout).

export const CSRF_HEADER = "X-CSRF-Token";
/** In order of preference: the HTTPS name first. */
export const CSRF_COOKIES = ["__Host-scalechat_csrf", "scalechat_csrf"] as const;

const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Does a request with this method change state (and so need the token)? */
export function needsCsrf(method: string): boolean {
  return UNSAFE_METHODS.has(method.toUpperCase());
}

/** The CSRF token from a `document.cookie` string, or null when there is none. */
export function csrfToken(cookies: string = typeof document === "undefined" ? "" : document.cookie): string | null {
  const found = new Map<string, string>();
  for (const part of cookies.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (!found.has(name)) found.set(name, part.slice(eq + 1).trim());
  }
  for (const name of CSRF_COOKIES) {
    const value = found.get(name);
    if (value) return value;
  }
  return null;
}

/** Add the CSRF header to `headers` when the method needs it and there is a token. */
export function addCsrfHeader(method: string, headers: Headers, cookies?: string): Headers {
  if (!needsCsrf(method)) return headers;
  const token = csrfToken(cookies);
  if (token) headers.set(CSRF_HEADER, token);
  return headers;
}
