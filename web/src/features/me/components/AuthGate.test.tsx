// The gate end to end in jsdom: the real API client and middleware over a fake fetch, the real
// store, the lazy pages. Each test loads the modules afresh (the gate's state is per page load).
import { act, type ReactNode } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

// The app's calls are relative; Node's Request needs an absolute URL.
class PageRequest extends Request {
  constructor(input: RequestInfo | URL, init?: RequestInit) {
    super(typeof input === "string" ? new URL(input, window.location.href) : input, init);
  }
}

type Answer = (request: Request) => Response;
let answer: Answer;
let root: Root | null = null;
let container: HTMLElement;

const me = { id: "u1", name: "Bob User", email: "bob@contoso.test", roles: ["user"], auth_mode: "entra", initials: "BU", photo_url: null, can_sign_out: true, tenant_id: "t" };
const problem = (status: number, code: string, detail: string) =>
  Response.json({ type: "about:blank", title: code, status, code, detail }, { status, headers: { "content-type": "application/problem+json" } });

beforeEach(() => {
  vi.resetModules();
  vi.stubGlobal("Request", PageRequest);
  vi.stubGlobal("fetch", vi.fn(async (request: Request) => answer(request)));
  container = document.createElement("div");
  document.body.appendChild(container);
});
afterEach(() => {
  act(() => root?.unmount());
  root = null;
  container.remove();
  vi.unstubAllGlobals();
  history.replaceState(null, "", "/");
});

async function mountGate(children: ReactNode = <p>the app</p>) {
  const [{ QueryClient, QueryClientProvider }, { FluentProvider, webLightTheme }, { LocaleProvider }, { AuthGate }] = await Promise.all([
    import("@tanstack/react-query"),
    import("@fluentui/react-components"),
    import("../../../i18n"),
    import("./AuthGate"),
  ]);
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  act(() => {
    root = createRoot(container);
    root.render(
      <QueryClientProvider client={client}>
        <LocaleProvider>
          <FluentProvider theme={webLightTheme}>
            <AuthGate>{children}</AuthGate>
          </FluentProvider>
        </LocaleProvider>
      </QueryClientProvider>,
    );
  });
  return client;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) {
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
    });
  }
  expect(check()).toBe(true);
}

const heading = () => container.querySelector("h1")?.textContent ?? null;

describe("<AuthGate>", () => {
  it("shows the app when /api/me answers", async () => {
    answer = () => Response.json(me);
    await mountGate();
    await until(() => container.textContent === "the app");
  });

  it("shows the sign-in page when /api/me answers 401, with a failed sign-in's code taken out of the URL", async () => {
    history.replaceState(null, "", "/c/abc?auth_error=state_mismatch&q=1");
    answer = () => problem(401, "not_signed_in", "Sign in first.");
    await mountGate();
    expect(window.location.pathname + window.location.search).toBe("/c/abc?q=1");
    await until(() => heading() === "scalechat");
    expect(container.textContent).not.toContain("the app");
    expect(container.textContent).toContain("Error code: state_mismatch");
  });

  it("shows the not-allowed page when /api/me answers 403 not_allowed", async () => {
    answer = () => problem(403, "not_allowed", "The Chat.User role is missing.");
    await mountGate();
    await until(() => heading() === "No access to scalechat");
    expect(container.textContent).toContain("The Chat.User role is missing.");
  });

  it("shows the sign-in page when a session ends mid-use, whichever call notices", async () => {
    answer = () => Response.json(me);
    await mountGate();
    await until(() => container.textContent === "the app");
    answer = () => problem(401, "not_signed_in", "Your session has ended.");
    const { api } = await import("../../../api/client");
    await act(() => expect(api.POST("/api/conversations", { body: {} })).rejects.toMatchObject({ status: 401 }));
    await until(() => heading() === "scalechat");
    expect(container.textContent).toContain("Your session has ended. Sign in again");
  });

  it("asks /api/me again when another call answers 403 not_allowed, and follows its answer", async () => {
    answer = () => Response.json(me);
    await mountGate();
    await until(() => container.textContent === "the app");
    answer = () => problem(403, "not_allowed", "The Chat.User role is missing.");
    const { api } = await import("../../../api/client");
    await act(() => expect(api.GET("/api/conversations", {})).rejects.toMatchObject({ status: 403 }));
    await until(() => heading() === "No access to scalechat");
    // The name is still known from the earlier answer.
    expect(container.textContent).toContain("You are signed in as Bob User");
  });
});
