import { describe, expect, it } from "vitest";
import { api } from "./client";
import { addCsrfHeader, CSRF_HEADER, csrfToken, needsCsrf } from "./csrf";

const ORIGIN = "http://localhost";

describe("csrfToken", () => {
  it("reads the plain-HTTP cookie and the __Host- one", () => {
    expect(csrfToken("scalechat_csrf=abc123")).toBe("abc123");
    expect(csrfToken("theme=dark; __Host-scalechat_csrf=Zz-_9; other=1")).toBe("Zz-_9");
    expect(csrfToken("a=1;scalechat_csrf=tok;b=2")).toBe("tok");
  });

  it("prefers the __Host- cookie when both exist", () => {
    expect(csrfToken("scalechat_csrf=plain; __Host-scalechat_csrf=secure")).toBe("secure");
  });

  it("finds nothing in other cookies, near-miss names or empty values", () => {
    expect(csrfToken("")).toBeNull();
    expect(csrfToken("scalechat_session=s")).toBeNull();
    expect(csrfToken("x_scalechat_csrf=no; scalechat_csrf_old=no; __Secure-scalechat_csrf=no")).toBeNull();
    expect(csrfToken("scalechat_csrf=")).toBeNull();
  });

  it("keeps a value with '=' in it whole", () => {
    expect(csrfToken("scalechat_csrf=a=b==")).toBe("a=b==");
  });
});

describe("the CSRF header", () => {
  it("goes only on unsafe methods", () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE", "post", "delete"]) expect(needsCsrf(method)).toBe(true);
    for (const method of ["GET", "HEAD", "OPTIONS", "get"]) expect(needsCsrf(method)).toBe(false);
    expect(addCsrfHeader("POST", new Headers(), "scalechat_csrf=t").get(CSRF_HEADER)).toBe("t");
    expect(addCsrfHeader("GET", new Headers(), "scalechat_csrf=t").get(CSRF_HEADER)).toBeNull();
  });

  it("is left out when there is no cookie (local mode)", () => {
    expect(addCsrfHeader("POST", new Headers(), "").has(CSRF_HEADER)).toBe(false);
  });

  it("is sent by the API client on writes, the streaming POSTs included, and not on reads", async () => {
    const seen: Request[] = [];
    const fetch = async (request: Request) => {
      seen.push(request);
      return new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
    };
    document.cookie = "scalechat_csrf=from-cookie; path=/";
    try {
      // jsdom's Request wants an absolute URL; the app's own calls are relative.
      await api.GET("/api/me", { baseUrl: ORIGIN, fetch });
      await api.POST("/api/conversations/{conversation_id}/messages", {
        params: { path: { conversation_id: "c1" } },
        body: { content: "Hi" },
        parseAs: "stream",
        baseUrl: ORIGIN,
        fetch,
      });
      await api.DELETE("/api/conversations/{conversation_id}", { params: { path: { conversation_id: "c1" } }, baseUrl: ORIGIN, fetch });
    } finally {
      document.cookie = "scalechat_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/";
    }
    expect(seen.map((r) => [r.method, r.headers.get(CSRF_HEADER)])).toEqual([
      ["GET", null],
      ["POST", "from-cookie"],
      ["DELETE", "from-cookie"],
    ]);
  });
});
