// The pages that stand in for the app: what they say, where their buttons go, and axe-core's
// verdict on them (as the browser tests judge the app's views: no serious or critical issue).
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import axe from "axe-core";
import { act, type ReactNode } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LocaleProvider } from "../../../i18n";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const leaveFor = vi.hoisted(() => vi.fn());
vi.mock("../signIn", async (importOriginal) => ({ ...(await importOriginal<typeof import("../signIn")>()), leaveFor }));
const { default: SignInPage } = await import("./SignInPage");
const { default: NotAllowedPage } = await import("./NotAllowedPage");

let root: Root | null = null;
let container: HTMLElement;

beforeEach(() => {
  container = document.createElement("div");
  document.body.appendChild(container);
});
afterEach(() => {
  act(() => root?.unmount());
  root = null;
  container.remove();
  vi.unstubAllGlobals();
  vi.clearAllMocks();
  localStorage.clear();
});

function mount(node: ReactNode): void {
  act(() => {
    root = createRoot(container);
    root.render(
      <LocaleProvider>
        <FluentProvider theme={webLightTheme}>{node}</FluentProvider>
      </LocaleProvider>,
    );
  });
}

async function seriousViolations(): Promise<string[]> {
  const result = await axe.run(container, { resultTypes: ["violations"], rules: { "color-contrast": { enabled: false } } });
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help}`);
}

const button = (name: string) =>
  Array.from(container.querySelectorAll("button")).find((b) => b.textContent?.trim() === name) as HTMLButtonElement;

async function settle(): Promise<void> {
  await act(async () => {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  });
}

describe("<SignInPage>", () => {
  it("names the product and signs in through /auth/login, back to this page", async () => {
    history.replaceState(null, "", "/c/abc?q=1");
    mount(<SignInPage authError={null} sessionEnded={false} />);
    expect(container.querySelector("main h1")?.textContent).toBe("scalechat");
    expect(container.querySelector('[role="alert"]')).toBeNull();
    act(() => button("Sign in with Microsoft").click());
    expect(leaveFor).toHaveBeenCalledWith("/auth/login?return_to=%2Fc%2Fabc%3Fq%3D1");
    expect(button("Going to Microsoft sign-in…").getAttribute("aria-disabled")).toBe("true");
    expect(await seriousViolations()).toEqual([]);
  });

  it("says why a sign-in failed, with the code, and that a session ended", async () => {
    mount(<SignInPage authError="login_failed" sessionEnded />);
    const alert = container.querySelector('[role="alert"]')!;
    expect(alert.textContent).toContain("Sign-in did not complete");
    expect(alert.textContent).toContain("Error code: login_failed");
    expect(container.textContent).toContain("Your session has ended");
    expect(await seriousViolations()).toEqual([]);
  });

  it("speaks Japanese", () => {
    localStorage.setItem("scalechat.locale", "ja");
    mount(<SignInPage authError="state_mismatch" sessionEnded={false} />);
    expect(button("Microsoft でサインイン")).toBeTruthy();
    expect(container.textContent).toContain("エラー コード: state_mismatch");
  });
});

describe("<NotAllowedPage>", () => {
  it("says who is signed in, what is missing, and signs out with the CSRF token", async () => {
    const fetch = vi.fn(async (_url: string, _init: RequestInit) =>
      Response.json({ redirect_url: "https://login.example/logout?x=1" }),
    );
    vi.stubGlobal("fetch", fetch);
    document.cookie = "scalechat_csrf=tok; path=/";
    mount(<NotAllowedPage name="Carol NoRole" detail="The Chat.User role is missing." />);
    expect(container.querySelector("main h1")?.textContent).toBe("No access to scalechat");
    expect(container.textContent).toContain("You are signed in as Carol NoRole but do not have access to scalechat.");
    expect(container.textContent).toContain("The Chat.User role is missing.");
    expect(await seriousViolations()).toEqual([]);

    act(() => button("Sign out").click());
    await settle();
    document.cookie = "scalechat_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/";
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe("/auth/logout");
    expect(init.method).toBe("POST");
    expect(new Headers(init.headers).get("X-CSRF-Token")).toBe("tok");
    expect(leaveFor).toHaveBeenCalledWith("https://login.example/logout?x=1");
  });

  it("shows a failed sign-out and lets the user try again", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => Response.json({ code: "internal_error", detail: "Boom." }, { status: 500 })),
    );
    mount(<NotAllowedPage name={null} detail="" />);
    expect(container.textContent).toContain("You are signed in but do not have access to scalechat.");
    act(() => button("Sign out").click());
    await settle();
    const alert = container.querySelector('[role="alert"]')!;
    expect(alert.textContent).toContain("Could not sign out. Try again.");
    expect(alert.textContent).toContain("Boom.");
    expect(leaveFor).not.toHaveBeenCalled();
    expect(button("Sign out").getAttribute("aria-disabled")).toBeNull();
    expect(await seriousViolations()).toEqual([]);
  });
});
