import { describe, expect, it } from "vitest";
import { api, ApiError, onApiError } from "../../api/client";
import { gateDecision, nextGateState, type GateState } from "./gate";

const signedOut = new ApiError(401, "not_signed_in", "Sign in first.", null, { login_url: "/auth/login" });
const notAllowed = new ApiError(403, "not_allowed", "The Chat.User role is missing.");
const start: GateState = { page: null, recheck: 0 };

describe("gateDecision", () => {
  it("sends any 401 to the sign-in page, whichever call it came from", () => {
    expect(gateDecision(signedOut, "/api/me")).toBe("signIn");
    expect(gateDecision(signedOut, "/api/conversations/{conversation_id}/messages")).toBe("signIn");
    expect(gateDecision(new ApiError(401, "http_401", "Unauthorized"), "/api/models")).toBe("signIn");
  });

  it("shows the not-allowed page for 403 not_allowed from /api/me, and re-checks /api/me for one from elsewhere", () => {
    expect(gateDecision(notAllowed, "/api/me")).toBe("notAllowed");
    expect(gateDecision(notAllowed, "/api/conversations")).toBe("recheck");
  });

  it("leaves every other failure to its caller", () => {
    expect(gateDecision(new ApiError(403, "csrf_token", "Missing CSRF token."), "/api/conversations")).toBeNull();
    expect(gateDecision(new ApiError(403, "csrf_origin", "Cross-site request."), "/api/me")).toBeNull();
    expect(gateDecision(new ApiError(404, "not_found", "No such conversation."), "/api/me")).toBeNull();
    expect(gateDecision(new ApiError(500, "internal_error", "Boom"), "/api/me")).toBeNull();
    expect(gateDecision(new TypeError("Failed to fetch"), "/api/me")).toBeNull();
  });
});

describe("nextGateState", () => {
  it("keeps the not-allowed detail and, when the server gives it, the name", () => {
    expect(nextGateState(start, notAllowed, "/api/me").page).toEqual({ page: "notAllowed", detail: "The Chat.User role is missing.", name: null });
    const named = new ApiError(403, "not_allowed", "No role.", null, { code: "not_allowed", user_name: "Carol NoRole" });
    expect(nextGateState(start, named, "/api/me").page).toEqual({ page: "notAllowed", detail: "No role.", name: "Carol NoRole" });
  });

  it("asks for a re-check without changing the page", () => {
    const next = nextGateState(start, notAllowed, "/api/conversations");
    expect(next).toEqual({ page: null, recheck: 1 });
    expect(nextGateState(next, notAllowed, "/api/presets")).toEqual({ page: null, recheck: 2 });
  });

  it("lets sign-in win and never leave", () => {
    const refused = nextGateState(start, notAllowed, "/api/me");
    const out = nextGateState(refused, signedOut, "/api/models");
    expect(out.page).toEqual({ page: "signIn" });
    expect(nextGateState(out, notAllowed, "/api/me")).toBe(out);
  });

  it("ignores errors that are not about signing in", () => {
    expect(nextGateState(start, new ApiError(500, "internal_error", "Boom"), "/api/me")).toBe(start);
  });
});

describe("the API client", () => {
  it("tells the gate of a refused call, with the route it came from", async () => {
    const fetch = async () =>
      new Response(JSON.stringify({ code: "not_signed_in", detail: "Sign in.", login_url: "/auth/login" }), {
        status: 401,
        headers: { "content-type": "application/problem+json" },
      });
    const seen: [string, string, unknown][] = [];
    const stop = onApiError((error, path) => seen.push([error.code, path, error.problem.login_url]));
    await expect(api.GET("/api/me", { baseUrl: "http://localhost", fetch })).rejects.toMatchObject({ status: 401, code: "not_signed_in" });
    stop();
    expect(seen).toEqual([["not_signed_in", "/api/me", "/auth/login"]]);
  });
});
