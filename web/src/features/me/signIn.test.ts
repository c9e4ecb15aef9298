import { describe, expect, it } from "vitest";
import { safeRedirect } from "./signOut";
import { returnToOf, signInUrl, splitAuthError } from "./signIn";

describe("returnToOf", () => {
  it("is the path and query the user was on", () => {
    expect(returnToOf({ pathname: "/", search: "" })).toBe("/");
    expect(returnToOf({ pathname: "/c/abc", search: "" })).toBe("/c/abc");
    expect(returnToOf({ pathname: "/c/abc", search: "?q=x%20y&n=2" })).toBe("/c/abc?q=x+y&n=2");
  });

  it("drops auth_error and stays a local path", () => {
    expect(returnToOf({ pathname: "/", search: "?auth_error=login_failed" })).toBe("/");
    expect(returnToOf({ pathname: "/c/abc", search: "?auth_error=x&q=1" })).toBe("/c/abc?q=1");
    expect(returnToOf({ pathname: "//evil.example/path", search: "" })).toBe("/evil.example/path");
  });
});

describe("signInUrl", () => {
  it("starts /auth/login with the page to come back to, encoded", () => {
    expect(signInUrl("/")).toBe("/auth/login?return_to=%2F");
    expect(signInUrl("/c/abc?q=1&n=2")).toBe("/auth/login?return_to=%2Fc%2Fabc%3Fq%3D1%26n%3D2");
    const url = new URL(signInUrl("/c/abc?q=1&n=2"), "https://chat.example");
    expect(url.pathname).toBe("/auth/login");
    expect(url.searchParams.get("return_to")).toBe("/c/abc?q=1&n=2");
  });
});

describe("splitAuthError", () => {
  it("takes the code out of the query and keeps the rest", () => {
    expect(splitAuthError("")).toEqual({ code: null, search: "" });
    expect(splitAuthError("?q=1")).toEqual({ code: null, search: "?q=1" });
    expect(splitAuthError("?auth_error=state_mismatch")).toEqual({ code: "state_mismatch", search: "" });
    expect(splitAuthError("?q=1&auth_error=access_denied")).toEqual({ code: "access_denied", search: "?q=1" });
  });

  it("shows no odd text as a code", () => {
    expect(splitAuthError("?auth_error=%3Cscript%3E").code).toBe("unknown");
    expect(splitAuthError("?auth_error=").code).toBe("unknown");
    expect(splitAuthError(`?auth_error=${"a".repeat(65)}`).code).toBe("unknown");
  });
});

describe("safeRedirect (where sign-out goes)", () => {
  it("follows a local path or an http(s) URL, else goes home", () => {
    expect(safeRedirect("/")).toBe("/");
    expect(safeRedirect("/.auth/logout?post_logout_redirect_uri=/")).toBe("/.auth/logout?post_logout_redirect_uri=/");
    expect(safeRedirect("https://login.microsoftonline.com/t/oauth2/v2.0/logout?id_token_hint=x")).toBe(
      "https://login.microsoftonline.com/t/oauth2/v2.0/logout?id_token_hint=x",
    );
    expect(safeRedirect("javascript:alert(1)")).toBe("/");
    expect(safeRedirect("//evil.example")).toBe("/");
    expect(safeRedirect(null)).toBe("/");
    expect(safeRedirect(42)).toBe("/");
  });
});
