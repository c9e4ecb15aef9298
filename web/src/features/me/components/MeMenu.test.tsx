// The header's account button: the photo (falling back to the initials), and sign-out in the menu.
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { queryKeys } from "../../../api/keys";
import { LocaleProvider } from "../../../i18n";
import { ThemeProvider } from "../../../theme";
import type { MeRead } from "../types";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const leaveFor = vi.hoisted(() => vi.fn());
vi.mock("../signIn", async (importOriginal) => ({ ...(await importOriginal<typeof import("../signIn")>()), leaveFor }));
const { MeMenu } = await import("./MeMenu");

const alice: MeRead = {
  id: "0a11ce00",
  name: "Alice Admin",
  email: "alice@contoso.test",
  roles: ["admin", "user"],
  auth_mode: "entra",
  initials: "AA",
  photo_url: "/api/me/photo",
  can_sign_out: true,
  tenant_id: "11111111-2222-3333-4444-555555555555",
} as MeRead;

let root: Root | null = null;
let container: HTMLElement;

beforeEach(() => {
  vi.stubGlobal("matchMedia", (query: string) => ({ matches: false, media: query, addEventListener() {}, removeEventListener() {} }));
  container = document.createElement("div");
  document.body.appendChild(container);
});
afterEach(() => {
  act(() => root?.unmount());
  root = null;
  container.remove();
  vi.unstubAllGlobals();
  vi.clearAllMocks();
});

function mount(me: MeRead): void {
  const client = new QueryClient();
  client.setQueryData(queryKeys.me, me);
  act(() => {
    root = createRoot(container);
    root.render(
      <QueryClientProvider client={client}>
        <LocaleProvider>
          <ThemeProvider>
            <FluentProvider theme={webLightTheme}>
              <MeMenu />
            </FluentProvider>
          </ThemeProvider>
        </LocaleProvider>
      </QueryClientProvider>,
    );
  });
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) {
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
    });
  }
  expect(check()).toBe(true);
}

const trigger = () => container.querySelector<HTMLButtonElement>('button[aria-haspopup="menu"]')!;
const signOutItem = () =>
  Array.from(document.querySelectorAll<HTMLElement>('[role="menuitem"]')).find((item) => /Sign(ing)? out/.test(item.textContent ?? ""));

describe("<MeMenu>", () => {
  it("shows the photo with the user's name, and the initials once it fails to load", () => {
    mount(alice);
    const img = trigger().querySelector("img")!;
    expect(img.getAttribute("src")).toBe("/api/me/photo");
    expect(img.getAttribute("alt")).toBe("Alice Admin");
    expect(trigger().querySelector("[data-initials]")).toBeNull();
    act(() => void img.dispatchEvent(new Event("error")));
    expect(trigger().querySelector("img")).toBeNull();
    expect(trigger().querySelector("[data-initials]")?.getAttribute("data-initials")).toBe("AA");
    expect(trigger().textContent).toContain("Alice Admin");
  });

  it("shows the initials when there is no photo", () => {
    mount({ ...alice, photo_url: null });
    expect(trigger().querySelector("img")).toBeNull();
    expect(trigger().querySelector("[data-initials]")?.getAttribute("data-initials")).toBe("AA");
  });

  it("signs out from the menu: POST /auth/logout with the CSRF token, forgets the tab's drafts, then goes to the server's redirect", async () => {
    let finish!: (response: Response) => void;
    const fetch = vi.fn((_url: string, _init: RequestInit) => new Promise<Response>((resolve) => (finish = resolve)));
    vi.stubGlobal("fetch", fetch);
    document.cookie = "scalechat_csrf=the-token; path=/"; // (jsdom is http: a __Host- cookie needs https)
    sessionStorage.setItem("scalechat.draft.new", "unsent text");
    mount(alice);
    act(() => trigger().click());
    await until(() => signOutItem() !== undefined);
    act(() => signOutItem()!.click());
    // In progress: the item says so and cannot be pressed again.
    await until(() => signOutItem()?.textContent === "Signing out…");
    expect(signOutItem()!.getAttribute("aria-disabled")).toBe("true");
    const [url, init] = fetch.mock.calls[0]!;
    expect([url, init.method, new Headers(init.headers).get("X-CSRF-Token")]).toEqual(["/auth/logout", "POST", "the-token"]);
    await act(async () => finish(Response.json({ redirect_url: "/" })));
    await until(() => leaveFor.mock.calls.length > 0);
    expect(leaveFor).toHaveBeenCalledWith("/");
    // The tab's drafts go with the session.
    expect(sessionStorage.getItem("scalechat.draft.new")).toBeNull();
    document.cookie = "scalechat_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/";
  });

  it("has no sign-out when there is no session to end (local mode)", async () => {
    mount({ ...alice, auth_mode: "local", can_sign_out: false, photo_url: null });
    act(() => trigger().click());
    await until(() => document.querySelector('[role="menu"]') !== null);
    expect(signOutItem()).toBeUndefined();
  });
});
