// The one API client: generated types (schema.d.ts, from the backend's OpenAPI document)
// behind openapi-fetch. Regenerate with `make api-client`; CI fails when it is stale.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];

/** An API error with the server's problem+json body (a stable `code` and a human `detail`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryAfterSeconds: number | null;

  constructor(status: number, code: string, detail: string, retryAfterSeconds: number | null = null) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Build an ApiError from a failed response, whatever its body is. */
export async function apiErrorOf(response: Response): Promise<ApiError> {
  const retryAfter = Number(response.headers.get("retry-after"));
  const retry = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null;
  try {
    const body = (await response.clone().json()) as Partial<Problem>;
    return new ApiError(response.status, body.code ?? "http_" + response.status, body.detail ?? response.statusText, retry);
  } catch {
    return new ApiError(response.status, "http_" + response.status, response.statusText || "Request failed", retry);
  }
}

const throwOnError: Middleware = {
  async onResponse({ response }) {
    if (!response.ok) throw await apiErrorOf(response);
    return undefined;
  },
};

export const api = createClient<paths>({ baseUrl: "" });
api.use(throwOnError);

/** Unwrap an openapi-fetch result whose errors the middleware already threw. */
export function dataOf<T>(result: { data?: T }): T {
  return result.data as T;
}
