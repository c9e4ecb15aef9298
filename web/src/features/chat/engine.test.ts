import { QueryClient } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { queryKeys } from "../../api/keys";
import { isLocalId, type Conversation } from "./cache";
import { getDraft } from "./drafts";
import { ChatEngine, NETWORK_ERROR } from "./engine";
import { StreamStore } from "./streamStore";
import { sampleConversation } from "./testing";

// The API client is replaced by a fake whose streams the tests feed by hand.
const api = vi.hoisted(() => ({ GET: vi.fn(), POST: vi.fn(), PATCH: vi.fn() }));
vi.mock("../../api/client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../api/client")>()),
  api,
}));
const { ApiError } = await import("../../api/client");

/** An SSE response body the test writes to. */
function sseBody() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const encoder = new TextEncoder();
  return {
    body,
    send(event: string, data: unknown) {
      controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
    },
    close: () => controller.close(),
    fail: () => controller.error(new TypeError("network error")),
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function seed(client: QueryClient): Conversation {
  const conversation = sampleConversation();
  client.setQueryData(queryKeys.conversation("c"), conversation);
  return conversation;
}

describe("ChatEngine", () => {
  let client: QueryClient;
  let streams: StreamStore;
  let engine: ChatEngine;
  const cached = () => client.getQueryData<Conversation>(queryKeys.conversation("c"))!;

  beforeEach(() => {
    vi.resetAllMocks();
    client = new QueryClient();
    streams = new StreamStore({ request: () => 0, cancel: () => undefined });
    engine = new ChatEngine(client, streams);
    seed(client);
  });
  afterEach(() => vi.useRealTimers());

  it("shows the question and an empty answer at once, then streams it and stores its end", async () => {
    const wire = sseBody();
    api.POST.mockResolvedValue({ data: wire.body });
    engine.send("c", "More?", "a1");

    const [question, answer] = cached().messages.slice(2);
    expect(question).toMatchObject({ role: "user", content: "More?", parent_id: "a1" });
    expect(answer).toMatchObject({ role: "assistant", status: "streaming", parent_id: question!.id });
    expect(isLocalId(answer!.id)).toBe(true);
    expect(cached().current_message_id).toBe(answer!.id);
    await settle();
    expect(api.POST).toHaveBeenCalledWith(
      "/api/conversations/{conversation_id}/messages",
      expect.objectContaining({ body: { content: "More?", parent_id: "a1" }, parseAs: "stream" }),
    );

    wire.send("message.created", { user_message_id: "q2", assistant_message_id: "a2" });
    wire.send("delta", { text: "Hel" });
    wire.send("delta", { text: "lo!" });
    await settle();
    expect(cached().messages.map((m) => m.id)).toEqual(["q1", "a1", "q2", "a2"]);
    expect(cached().current_message_id).toBe("a2");
    expect(engine.has("a2")).toBe(true);
    streams.flush();
    expect(streams.get("a2")?.text).toBe("Hello!");

    const invalidate = vi.spyOn(client, "invalidateQueries");
    wire.send("done", { finish_reason: "stop", usage: null, status: "completed" });
    await settle();
    expect(cached().messages[3]).toMatchObject({ id: "a2", content: "Hello!", status: "completed", finish_reason: "stop" });
    expect(streams.get("a2")).toBeUndefined();
    expect(engine.has("a2")).toBe(false);
    expect(invalidate).toHaveBeenCalledWith({ queryKey: queryKeys.conversations });
  });

  it("keeps an error's status and detail", async () => {
    const wire = sseBody();
    api.POST.mockResolvedValue({ data: wire.body });
    engine.send("c", "Fail", "a1");
    await settle();
    wire.send("message.created", { user_message_id: "q2", assistant_message_id: "a2" });
    wire.send("error", { code: "model_error", detail: "Upstream failed.", status: "failed" });
    await settle();
    expect(cached().messages[3]).toMatchObject({
      status: "failed",
      error: { code: "model_error", detail: "Upstream failed." },
    });
  });

  it("shows a refused question in place and sends it again on retry", async () => {
    api.POST.mockRejectedValueOnce(new ApiError(409, "answer_in_progress", "An answer is still being written."));
    engine.send("c", "Too soon", "a1");
    await settle();
    const failed = cached().messages[3]!;
    expect(failed).toMatchObject({ status: "failed", error: { code: "answer_in_progress" } });

    const wire = sseBody();
    api.POST.mockResolvedValue({ data: wire.body });
    engine.retry("c", failed.id);
    expect(cached().messages).toHaveLength(4); // the failed pair replaced by a new one
    expect(cached().messages.some((m) => m.id === failed.id)).toBe(false);
    expect(cached().messages[2]).toMatchObject({ content: "Too soon", parent_id: "a1" });
  });

  it("puts a question refused for a session that ended back in the message box's saved text", async () => {
    sessionStorage.clear();
    api.POST.mockRejectedValueOnce(new ApiError(401, "not_signed_in", "Sign in."));
    engine.send("c", "Still there after signing in?", "a1");
    await settle();
    expect(cached().messages[3]).toMatchObject({ status: "failed", error: { code: "not_signed_in" } });
    expect(getDraft("c")).toBe("Still there after signing in?");
    sessionStorage.clear();
  });

  it("marks a question that never reached the server as a network failure", async () => {
    api.POST.mockRejectedValue(new TypeError("Failed to fetch"));
    engine.send("c", "Offline", "a1");
    await settle();
    expect(cached().messages[3]).toMatchObject({ status: "failed", error: { code: NETWORK_ERROR } });
  });

  it("re-attaches after a dropped stream and replaces the text with the replay", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const first = sseBody();
    api.POST.mockResolvedValue({ data: first.body });
    engine.send("c", "Long", "a1");
    await vi.advanceTimersByTimeAsync(0);
    first.send("message.created", { user_message_id: "q2", assistant_message_id: "a2" });
    first.send("delta", { text: "Part one, " });
    await vi.advanceTimersByTimeAsync(0);
    first.fail();
    await vi.advanceTimersByTimeAsync(0);
    streams.flush();
    expect(streams.get("a2")).toEqual({ text: "Part one, ", connection: "reconnecting" });

    const replay = sseBody();
    api.GET.mockResolvedValue({ data: replay.body });
    await vi.advanceTimersByTimeAsync(1000);
    expect(api.GET).toHaveBeenCalledWith(
      "/api/messages/{message_id}/stream",
      expect.objectContaining({ params: { path: { message_id: "a2" } } }),
    );
    replay.send("delta", { text: "Part one, part two" }); // everything so far, from the start
    replay.send("delta", { text: "." });
    await vi.advanceTimersByTimeAsync(0);
    streams.flush();
    expect(streams.get("a2")).toEqual({ text: "Part one, part two.", connection: "live" });
    replay.send("done", { finish_reason: "stop", usage: null, status: "completed" });
    await vi.advanceTimersByTimeAsync(0);
    expect(cached().messages[3]).toMatchObject({ content: "Part one, part two.", status: "completed" });
  });

  it("follows an answer found streaming on load, starting from its stored text", async () => {
    const replay = sseBody();
    api.GET.mockResolvedValue({ data: replay.body });
    engine.attach("c", "a1", "Hel");
    expect(streams.get("a1")?.text).toBe("Hel");
    engine.attach("c", "a1", "Hel"); // once only
    await settle();
    expect(api.GET).toHaveBeenCalledTimes(1);
    replay.send("delta", { text: "Hello" });
    replay.send("done", { finish_reason: "stop", usage: null, status: "completed" });
    await settle();
    expect(cached().messages[1]).toMatchObject({ content: "Hello", status: "completed" });
  });

  it("does not follow again an answer it saw end, when a stale read still says streaming", async () => {
    const replay = sseBody();
    api.GET.mockResolvedValue({ data: replay.body });
    engine.attach("c", "a1", "");
    await settle();
    replay.send("delta", { text: "Hello" });
    replay.send("done", { finish_reason: "stop", usage: null, status: "completed" });
    await settle();
    // A read from before the end was stored arrives: the answer looks unfinished again.
    client.setQueryData<Conversation>(queryKeys.conversation("c"), (c) => ({
      ...c!,
      messages: c!.messages.map((m) => (m.id === "a1" ? { ...m, content: "Hel", status: "streaming" as const } : m)),
    }));
    engine.attach("c", "a1", "Hel");
    await settle();
    expect(api.GET).toHaveBeenCalledTimes(1);
    expect(cached().messages[1]).toMatchObject({ content: "Hello", status: "completed" });
  });

  it("leaves an answer whose question is still being sent to that question's stream", async () => {
    const wire = sseBody();
    api.POST.mockResolvedValue({ data: wire.body });
    engine.send("c", "More?", "a1");
    await settle();
    engine.attach("c", "a2", ""); // a refetch shows the new answer before message.created names it
    await settle();
    expect(api.GET).not.toHaveBeenCalled();
  });

  it("retries a re-attach the server refuses for being busy, with growing waits", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    api.GET.mockRejectedValue(new ApiError(503, "unavailable", "Busy"));
    engine.attach("c", "a1", "Hel");
    await vi.advanceTimersByTimeAsync(0);
    expect(api.GET).toHaveBeenCalledTimes(1);
    streams.flush();
    expect(streams.get("a1")?.connection).toBe("reconnecting");
    await vi.advanceTimersByTimeAsync(250);
    expect(api.GET).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(499);
    expect(api.GET).toHaveBeenCalledTimes(2); // the second wait is longer
    await vi.advanceTimersByTimeAsync(1);
    expect(api.GET).toHaveBeenCalledTimes(3);
  });

  /** The next answer streams on `wire`; stopping it answers with a stopped "a2". */
  function answerThatStops() {
    const wire = sseBody();
    api.POST.mockImplementation((path: string) =>
      path === "/api/messages/{message_id}/stop"
        ? Promise.resolve({ data: { ...cached().messages[1]!, id: "a2", status: "stopped" } })
        : Promise.resolve({ data: wire.body }),
    );
    return wire;
  }

  it("stops an answer that has no id yet as soon as it gets one", async () => {
    const wire = answerThatStops();
    engine.send("c", "Stop me", "a1");
    const temporary = cached().current_message_id!;
    await engine.stop("c", temporary);
    expect(api.POST).toHaveBeenCalledTimes(1);
    await settle();
    wire.send("message.created", { user_message_id: "q2", assistant_message_id: "a2" });
    await settle();
    expect(api.POST).toHaveBeenLastCalledWith(
      "/api/messages/{message_id}/stop",
      expect.objectContaining({ params: { path: { message_id: "a2" } } }),
    );
  });

  it("stops by the temporary id a button still holds after the answer got its real id", async () => {
    const wire = answerThatStops();
    engine.send("c", "Stop me", "a1");
    const temporary = cached().current_message_id!;
    await settle();
    wire.send("message.created", { user_message_id: "q2", assistant_message_id: "a2" });
    await settle();
    // A Stop button rendered before the rename still passes the temporary id.
    await engine.stop("c", temporary);
    expect(api.POST).toHaveBeenLastCalledWith(
      "/api/messages/{message_id}/stop",
      expect.objectContaining({ params: { path: { message_id: "a2" } } }),
    );
  });

  it("switches branch optimistically and undoes it when the server refuses", async () => {
    api.PATCH.mockRejectedValue(new ApiError(422, "invalid_message", "No."));
    const switching = engine.switchBranch("c", "q1");
    expect(cached().current_message_id).toBe("q1");
    await expect(switching).rejects.toThrow("No.");
    expect(cached().current_message_id).toBe("a1");
  });

  it("asks the next question only after a branch switch has landed", async () => {
    let land!: () => void;
    api.PATCH.mockReturnValue(new Promise((resolve) => (land = () => resolve({ data: {} }))));
    api.POST.mockResolvedValue({ data: sseBody().body });
    void engine.switchBranch("c", "a1");
    engine.send("c", "Next", "a1");
    await settle();
    expect(api.POST).not.toHaveBeenCalled();
    land();
    await settle();
    expect(api.POST).toHaveBeenCalledTimes(1);
  });
});
