// The one API client: generated types (schema.d.ts, from the backend's OpenAPI document)
// behind openapi-fetch. Regenerate with `make api-client`; CI fails when it is stale.
import createClient, { type Middleware } from "openapi-fetch";
import { addCsrfHeader } from "./csrf";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];

/** An API error with the server's problem+json body (a stable `code` and a human `detail`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryAfterSeconds: number | null;
  /** The whole problem body, extension members included (e.g. `login_url`); {} when it had none. */
  readonly problem: Readonly<Record<string, unknown>>;

  constructor(
    status: number,
    code: string,
    detail: string,
    retryAfterSeconds: number | null = null,
    problem: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
    this.problem = problem;
  }
}

/** The session is missing or over (401 `not_signed_in`): only signing in again helps. */
export function isSignedOut(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 401;
}

/** Build an ApiError from a failed response, whatever its body is. */
export async function apiErrorOf(response: Response): Promise<ApiError> {
  const retryAfter = Number(response.headers.get("retry-after"));
  const retry = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null;
  try {
    const body = (await response.clone().json()) as Partial<Problem> & Record<string, unknown>;
    const problem = body !== null && typeof body === "object" ? body : {};
    return new ApiError(response.status, problem.code ?? "http_" + response.status, problem.detail ?? response.statusText, retry, problem);
  } catch {
    return new ApiError(response.status, "http_" + response.status, response.statusText || "Request failed", retry);
  }
}

/** Hears every failed API call before its caller does (the sign-in gate listens: features/me). */
export type ApiErrorListener = (error: ApiError, schemaPath: string) => void;
const errorListeners = new Set<ApiErrorListener>();

export function onApiError(listener: ApiErrorListener): () => void {
  errorListeners.add(listener);
  return () => errorListeners.delete(listener);
}

/** Every unsafe request (the streaming POSTs too) carries the CSRF token: see csrf.ts. */
export const csrfMiddleware: Middleware = {
  onRequest({ request }) {
    addCsrfHeader(request.method, request.headers);
    return request;
  },
};

const throwOnError: Middleware = {
  async onResponse({ response, schemaPath }) {
    if (response.ok) return undefined;
    const error = await apiErrorOf(response);
    for (const listener of errorListeners) {
      try {
        listener(error, schemaPath);
      } catch (failure) {
        console.error("scalechat: an API error listener failed", failure);
      }
    }
    throw error;
  },
};

export const api = createClient<paths>({ baseUrl: "" });
api.use(csrfMiddleware, throwOnError);

/** Unwrap an openapi-fetch result whose errors the middleware already threw. */
export function dataOf<T>(result: { data?: T }): T {
  return result.data as T;
}
