// The chat's one place for answers in flight: send, regenerate, re-attach, stop, and the
// writes that change what a conversation shows (branch switch, settings, hand edits).
//
// The server owns every answer; a stream here only follows one. So a dropped connection
// is followed by GET /api/messages/{id}/stream, which replays the answer from its start and
// then follows it live. Text goes to the StreamStore (one re-render per frame, only of the
// streaming message); the conversation in TanStack Query's cache changes only when an
// answer starts (optimistic messages, then their real ids) and when it ends.
import type { QueryClient } from "@tanstack/react-query";
import { api, ApiError, dataOf, isSignedOut, type Schemas } from "../../api/client";
import { queryKeys } from "../../api/keys";
import { readSse } from "../../api/sse";
import type { ChatSettingsPatch } from "../settings";
import {
  addMessages,
  draftMessage,
  isLocalId,
  localId,
  nextCreatedAt,
  patchMessage,
  removeMessages,
  renameMessages,
  type Conversation,
  type Message,
} from "./cache";
import { restoreDraft } from "./drafts";
import { StreamStore } from "./streamStore";

type Status = Schemas["MessageStatus"];

/** The code of a local failure: the request never reached the server. */
export const NETWORK_ERROR = "network_error";

// Re-attach after a dropped stream: quickly at first, then every few seconds, then give up
// (the answer shows "connection lost" with a button to try again).
const REATTACH_DELAYS_MS = [250, 500, 1000, 2000, 4000, 8000, 8000, 8000];
// Ends of answers kept to outvote a stale read of the conversation (a long session must not grow).
const MAX_REMEMBERED_ENDS = 200;
// A connection that stayed up this long before dropping starts the retries afresh.
const FRESH_RETRIES_AFTER_MS = 10_000;
// After a stop, the end normally arrives on the stream within milliseconds.
const STOP_END_TIMEOUT_MS = 3000;

interface Session {
  conversationId: string;
  /** Temporary until `message.created` names it. */
  answerId: string;
  /** The optimistic question to rename (a send), or null (regenerate, attach). */
  questionId: string | null;
  named: boolean;
  controller: AbortController;
  stopRequested: boolean;
  attempts: number;
  /** When the current connection opened: one that lived long enough earns a fresh set of retries. */
  connectedAt: number | null;
  timer: ReturnType<typeof setTimeout> | null;
  waitingForOnline: boolean;
}

interface LocalRetry {
  remove: ReadonlySet<string>;
  current: string | null;
  run: () => void;
}

type Opener = (signal: AbortSignal) => Promise<ReadableStream<Uint8Array> | null | undefined>;

function parse(data: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(data);
    return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const text = (value: unknown): string | null => (typeof value === "string" ? value : null);

export class ChatEngine {
  readonly streams: StreamStore;
  private readonly sessions = new Map<string, Session>();
  /** Temporary answer ids and the real ids the server gave them (a few short strings per answer sent). */
  private readonly renamed = new Map<string, string>();
  /** How answers this tab followed to their end ended, newest last (bounded: see remember). */
  private readonly ended = new Map<string, Partial<Message>>();
  private readonly retries = new Map<string, LocalRetry>();
  private readonly writes = new Map<string, Promise<unknown>>();

  constructor(
    private readonly queryClient: QueryClient,
    streams = new StreamStore(),
  ) {
    this.streams = streams;
    if (typeof window !== "undefined") window.addEventListener("online", () => this.onOnline());
  }

  /** Is an answer with this id followed by a stream here? */
  has(messageId: string): boolean {
    return this.sessions.has(messageId);
  }

  // -- asking -------------------------------------------------------------

  /** Ask: the question and an empty answer appear at once, then the answer streams in. */
  send(
    conversationId: string,
    content: string,
    parentId: string | null | undefined,
    ids: { question: string; answer: string } = { question: localId(), answer: localId() },
  ): void {
    const conversation = this.conversation(conversationId);
    const createdAt = nextCreatedAt(conversation);
    const question = draftMessage({
      id: ids.question,
      conversation_id: conversationId,
      parent_id: parentId === undefined ? (conversation?.current_message_id ?? null) : parentId,
      role: "user",
      content,
      status: "completed",
      created_at: createdAt,
    });
    const answer = this.draftAnswer(conversationId, question.id, createdAt, conversation?.model ?? null, ids.answer);
    const previous = conversation?.current_message_id ?? null;
    this.insert(conversationId, [question, answer]);
    this.retries.set(answer.id, {
      remove: new Set([question.id, answer.id]),
      current: previous,
      run: () => this.send(conversationId, content, parentId),
    });
    const body = parentId === undefined ? { content } : { content, parent_id: parentId };
    this.start(conversationId, answer.id, question.id, async (signal) => {
      await this.settled(conversationId);
      const { data } = await api.POST("/api/conversations/{conversation_id}/messages", {
        params: { path: { conversation_id: conversationId } },
        body,
        parseAs: "stream",
        signal,
      });
      return data;
    });
  }

  /** A new answer to the same question, beside `answer` (the UI shows `2/2`). */
  regenerate(conversationId: string, answer: Message): void {
    if (isLocalId(answer.id)) {
      this.retry(conversationId, answer.id);
      return;
    }
    const conversation = this.conversation(conversationId);
    const draft = this.draftAnswer(conversationId, answer.parent_id, nextCreatedAt(conversation), answer.model);
    const previous = conversation?.current_message_id ?? null;
    this.insert(conversationId, [draft]);
    this.retries.set(draft.id, {
      remove: new Set([draft.id]),
      current: previous,
      run: () => this.regenerate(conversationId, answer),
    });
    this.start(conversationId, draft.id, null, async (signal) => {
      await this.settled(conversationId);
      const { data } = await api.POST("/api/messages/{message_id}/regenerate", {
        params: { path: { message_id: answer.id } },
        parseAs: "stream",
        signal,
      });
      return data;
    });
  }

  /** Try a failed answer again: resend a question that never got through, else regenerate. */
  retry(conversationId: string, answerId: string): void {
    const local = this.retries.get(answerId);
    if (local) {
      this.retries.delete(answerId);
      this.queryClient.setQueryData<Conversation>(queryKeys.conversation(conversationId), (c) =>
        c ? removeMessages(c, local.remove, local.current) : c,
      );
      local.run();
      return;
    }
    const answer = this.conversation(conversationId)?.messages.find((m) => m.id === answerId);
    if (answer) this.regenerate(conversationId, answer);
  }

  /** Follow an answer being written (a reload mid-answer, another tab): replay, then live. */
  attach(conversationId: string, messageId: string, textSoFar: string): void {
    if (this.sessions.has(messageId) || isLocalId(messageId)) return;
    const ended = this.ended.get(messageId);
    if (ended) {
      // This tab saw it end, but the conversation was read before that end was stored:
      // keep showing the end rather than following the answer again.
      this.queryClient.setQueryData<Conversation>(queryKeys.conversation(conversationId), (c) =>
        c ? patchMessage(c, messageId, ended) : c,
      );
      return;
    }
    // A question being sent in this conversation: its stream will name this answer shortly.
    for (const session of this.sessions.values()) {
      if (session.conversationId === conversationId && !session.named) return;
    }
    this.streams.start(messageId, textSoFar, { replaceNext: true });
    const session = this.session(conversationId, messageId, null);
    session.named = true;
    void this.run(session, (signal) => this.openReplay(messageId, signal));
  }

  /** Try again to follow an answer whose connection was given up. */
  reconnect(messageId: string): void {
    const session = this.sessions.get(messageId);
    if (!session) return;
    session.attempts = 0;
    this.reattach(session);
  }

  /** Stop an answer now; the server keeps the partial text as `stopped`. */
  async stop(conversationId: string, requestedId: string): Promise<void> {
    // A button rendered before the answer got its real id still holds the temporary one.
    const answerId = this.renamed.get(requestedId) ?? requestedId;
    const session = this.sessions.get(answerId);
    if (session && !session.named) {
      session.stopRequested = true; // sent as soon as the answer has its real id
      return;
    }
    if (isLocalId(answerId)) return;
    const { data } = await api.POST("/api/messages/{message_id}/stop", {
      params: { path: { message_id: answerId } },
    });
    const stopped = dataOf({ data });
    const live = this.sessions.get(answerId);
    const endFromServer = () => {
      const open = this.sessions.get(answerId);
      if (open) this.close(open);
      this.queryClient.setQueryData<Conversation>(queryKeys.conversation(conversationId), (c) =>
        c ? patchMessage(c, stopped.id, stopped) : c,
      );
    };
    if (!live || this.streams.get(answerId)?.connection !== "live") endFromServer();
    else setTimeout(() => this.sessions.get(answerId) === live && endFromServer(), STOP_END_TIMEOUT_MS);
  }

  // -- other writes ---------------------------------------------------------

  /** Create a conversation (a new chat's first send) and seed its cache entry. */
  async createConversation(settings: ChatSettingsPatch): Promise<string> {
    const { data } = await api.POST("/api/conversations", {
      body: {
        ...(settings.system_prompt !== undefined ? { system_prompt: settings.system_prompt } : {}),
        ...(settings.parameters !== undefined ? { parameters: settings.parameters } : {}),
        ...(settings.model !== undefined ? { model: settings.model } : {}),
      },
    });
    const created = dataOf({ data });
    this.queryClient.setQueryData<Conversation>(queryKeys.conversation(created.id), { ...created, messages: [] });
    return created.id;
  }

  /** Show another branch (optimistically) and remember it on the server. */
  async switchBranch(conversationId: string, currentId: string): Promise<void> {
    const key = queryKeys.conversation(conversationId);
    const previous = this.conversation(conversationId)?.current_message_id ?? null;
    this.holdRefetches(conversationId);
    this.queryClient.setQueryData<Conversation>(key, (c) => (c ? { ...c, current_message_id: currentId } : c));
    const request = api.PATCH("/api/conversations/{conversation_id}", {
      params: { path: { conversation_id: conversationId } },
      body: { current_message_id: currentId },
    });
    this.track(conversationId, request);
    try {
      await request;
    } catch (error) {
      this.queryClient.setQueryData<Conversation>(key, (c) =>
        c && c.current_message_id === currentId ? { ...c, current_message_id: previous } : c,
      );
      throw error;
    }
  }

  /** Change the conversation's prompt, parameters or model (optimistically). */
  async updateSettings(conversationId: string, patch: ChatSettingsPatch): Promise<void> {
    const key = queryKeys.conversation(conversationId);
    const before = this.conversation(conversationId);
    if (!before) return;
    this.holdRefetches(conversationId);
    this.queryClient.setQueryData<Conversation>(key, (c) =>
      c
        ? {
            ...c,
            system_prompt: patch.system_prompt ?? c.system_prompt,
            parameters: patch.parameters ? { ...c.parameters, ...patch.parameters } : c.parameters,
            model: patch.model !== undefined ? patch.model : c.model,
          }
        : c,
    );
    const request = api.PATCH("/api/conversations/{conversation_id}", {
      params: { path: { conversation_id: conversationId } },
      body: {
        ...(patch.system_prompt !== undefined ? { system_prompt: patch.system_prompt } : {}),
        ...(patch.parameters !== undefined ? { parameters: patch.parameters } : {}),
        ...(patch.model !== undefined ? { model: patch.model } : {}),
      },
    });
    this.track(conversationId, request);
    try {
      await request;
    } catch (error) {
      this.queryClient.setQueryData<Conversation>(key, (c) =>
        c ? { ...c, system_prompt: before.system_prompt, parameters: before.parameters, model: before.model } : c,
      );
      throw error;
    } finally {
      void this.queryClient.invalidateQueries({ queryKey: queryKeys.conversations });
    }
  }

  /** Correct an answer's text by hand. */
  async editAnswer(conversationId: string, messageId: string, content: string): Promise<void> {
    const { data } = await api.PATCH("/api/messages/{message_id}", {
      params: { path: { message_id: messageId } },
      body: { content },
    });
    const edited = dataOf({ data });
    this.holdRefetches(conversationId);
    this.queryClient.setQueryData<Conversation>(queryKeys.conversation(conversationId), (c) =>
      c ? patchMessage(c, messageId, edited) : c,
    );
  }

  // -- internals ------------------------------------------------------------

  private conversation(conversationId: string): Conversation | undefined {
    return this.queryClient.getQueryData<Conversation>(queryKeys.conversation(conversationId));
  }

  private draftAnswer(
    conversationId: string,
    parentId: string | null,
    createdAt: string,
    model: string | null,
    id = localId(),
  ): Message {
    return draftMessage({
      id,
      conversation_id: conversationId,
      parent_id: parentId,
      role: "assistant",
      content: "",
      status: "streaming",
      created_at: createdAt,
      model,
    });
  }

  /** A refetch that started before an optimistic change would undo it when it lands: cancel it. */
  private holdRefetches(conversationId: string): void {
    void this.queryClient.cancelQueries({ queryKey: queryKeys.conversation(conversationId), exact: true });
  }

  private insert(conversationId: string, messages: Message[]): void {
    const key = queryKeys.conversation(conversationId);
    this.holdRefetches(conversationId);
    const answer = messages[messages.length - 1]!;
    this.queryClient.setQueryData<Conversation>(key, (c) => (c ? addMessages(c, messages, answer.id) : c));
  }

  /** Writes that must land before the next question (it is asked on the branch and settings they set). */
  private track(conversationId: string, request: Promise<unknown>): void {
    const chained = Promise.allSettled([this.writes.get(conversationId), request]);
    this.writes.set(conversationId, chained);
    void chained.then(() => {
      if (this.writes.get(conversationId) === chained) this.writes.delete(conversationId);
    });
  }

  private async settled(conversationId: string): Promise<void> {
    const pending = this.writes.get(conversationId);
    if (pending) await pending;
  }

  private session(conversationId: string, answerId: string, questionId: string | null): Session {
    const session: Session = {
      conversationId,
      answerId,
      questionId,
      named: false,
      controller: new AbortController(),
      stopRequested: false,
      attempts: 0,
      connectedAt: null,
      timer: null,
      waitingForOnline: false,
    };
    this.sessions.set(answerId, session);
    return session;
  }

  private start(conversationId: string, answerId: string, questionId: string | null, open: Opener): void {
    this.streams.start(answerId);
    void this.run(this.session(conversationId, answerId, questionId), open);
  }

  private openReplay(messageId: string, signal: AbortSignal): Promise<ReadableStream<Uint8Array> | null> {
    return api
      .GET("/api/messages/{message_id}/stream", { params: { path: { message_id: messageId } }, parseAs: "stream", signal })
      .then(({ data }) => data ?? null);
  }

  private async run(session: Session, open: Opener): Promise<void> {
    const { signal } = session.controller;
    let ended = false;
    try {
      const body = await open(signal);
      if (!body) throw new TypeError("The answer's stream has no body.");
      session.connectedAt = Date.now();
      if (session.named) this.streams.setConnection(session.answerId, "live");
      ended = await this.consume(session, body, signal);
    } catch (error) {
      if (signal.aborted) return; // superseded by a re-attach
      // The session ended (the app is showing the sign-in page): the question goes back to the
      // message box's saved text, so it is there after signing in again.
      if (isSignedOut(error)) this.keepQuestion(session);
      // A busy or failing server (429, 5xx) on a re-attach is retried with backoff like a
      // dropped connection; anything else means the answer cannot be followed.
      if (error instanceof ApiError && !(session.named && (error.status === 429 || error.status >= 500))) {
        this.refused(session, error.code, error.message);
        return;
      }
    }
    if (ended || signal.aborted) return;
    this.dropped(session);
  }

  /** Read events until the answer ends (true) or the stream breaks off (false). */
  private async consume(session: Session, body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<boolean> {
    for await (const event of readSse(body, signal)) {
      const data = parse(event.data);
      if (!data) continue;
      if (event.event === "message.created") {
        this.named(session, text(data.assistant_message_id), text(data.user_message_id));
      } else if (event.event === "delta") {
        this.streams.append(session.answerId, text(data.text) ?? "");
      } else if (event.event === "done" || event.event === "error") {
        this.finish(session, event.event, data);
        return true;
      }
    }
    return false;
  }

  private named(session: Session, answerId: string | null, questionId: string | null): void {
    const { conversationId } = session;
    const names = new Map<string, string>();
    const temporary = session.answerId;
    if (answerId && answerId !== temporary) {
      names.set(temporary, answerId);
      this.renamed.set(temporary, answerId);
      this.streams.rename(temporary, answerId);
      this.sessions.delete(temporary);
      this.sessions.set(answerId, session);
      session.answerId = answerId;
    }
    if (session.questionId && questionId) names.set(session.questionId, questionId);
    session.named = true;
    this.retries.delete(temporary);
    if (names.size > 0) {
      this.queryClient.setQueryData<Conversation>(queryKeys.conversation(conversationId), (c) =>
        c ? renameMessages(c, names) : c,
      );
    }
    // The history list: a new conversation got its title, this one moved to the top.
    void this.queryClient.invalidateQueries({ queryKey: queryKeys.conversations });
    const questions = this.conversation(conversationId)?.messages.filter((m) => m.role === "user").length ?? 0;
    if (session.questionId && questions === 1) {
      // The first question titled the conversation: show the title now, not when the answer ends.
      void this.queryClient.invalidateQueries({ queryKey: queryKeys.conversation(conversationId), exact: true });
    }
    if (session.stopRequested) void this.stop(conversationId, session.answerId).catch(() => undefined);
  }

  private finish(session: Session, name: "done" | "error", data: Record<string, unknown>): void {
    const id = session.answerId;
    const content = this.streams.text(id) ?? "";
    const status = (text(data.status) ?? (name === "done" ? "completed" : "failed")) as Status;
    const patch: Partial<Message> =
      name === "done"
        ? {
            content,
            status,
            finish_reason: text(data.finish_reason),
            usage: (data.usage as Message["usage"]) ?? null,
          }
        : { content, status, error: { code: text(data.code) ?? "error", detail: text(data.detail) } };
    this.queryClient.setQueryData<Conversation>(queryKeys.conversation(session.conversationId), (c) =>
      c ? patchMessage(c, id, patch) : c,
    );
    this.remember(id, patch);
    this.close(session);
    void this.queryClient.invalidateQueries({ queryKey: queryKeys.conversations });
    void this.queryClient.invalidateQueries({ queryKey: queryKeys.conversation(session.conversationId), exact: true });
  }

  /** The request was refused (or never got through) before the answer existed on the server. */
  private refused(session: Session, code: string, detail: string | null): void {
    if (session.named) {
      // A re-attach was refused (the answer is gone): show what the server has.
      this.close(session);
      void this.queryClient.invalidateQueries({ queryKey: queryKeys.conversation(session.conversationId) });
      return;
    }
    this.queryClient.setQueryData<Conversation>(queryKeys.conversation(session.conversationId), (c) =>
      c ? patchMessage(c, session.answerId, { status: "failed", error: { code, detail } }) : c,
    );
    this.close(session);
  }

  private keepQuestion(session: Session): void {
    if (session.named || session.questionId === null) return;
    const question = this.conversation(session.conversationId)?.messages.find((m) => m.id === session.questionId);
    if (question?.content) restoreDraft(session.conversationId, question.content);
  }

  private dropped(session: Session): void {
    if (!session.named) {
      this.refused(session, NETWORK_ERROR, null);
      return;
    }
    // Not on each delta: a re-attach replays the text so far as deltas, so a proxy that cuts every
    // connection after the replay would otherwise earn endless quick retries.
    if (session.connectedAt !== null && Date.now() - session.connectedAt > FRESH_RETRIES_AFTER_MS) session.attempts = 0;
    session.connectedAt = null;
    session.attempts += 1;
    const delay = REATTACH_DELAYS_MS[session.attempts - 1];
    if (delay === undefined) {
      this.streams.setConnection(session.answerId, "lost");
      return;
    }
    this.streams.setConnection(session.answerId, "reconnecting");
    if (typeof navigator !== "undefined" && navigator.onLine === false) {
      session.waitingForOnline = true;
      return;
    }
    session.timer = setTimeout(() => this.reattach(session), delay);
  }

  private remember(answerId: string, end: Partial<Message>): void {
    this.ended.delete(answerId);
    this.ended.set(answerId, end);
    if (this.ended.size > MAX_REMEMBERED_ENDS) this.ended.delete(this.ended.keys().next().value!);
  }

  private reattach(session: Session): void {
    if (this.sessions.get(session.answerId) !== session) return;
    if (session.timer !== null) clearTimeout(session.timer);
    session.timer = null;
    session.waitingForOnline = false;
    session.controller.abort();
    session.controller = new AbortController();
    this.streams.replaceOnNextDelta(session.answerId);
    void this.run(session, (signal) => this.openReplay(session.answerId, signal));
  }

  private onOnline(): void {
    // Back online: a stream may have died silently; re-attaching replays it, so nothing is lost.
    for (const session of [...this.sessions.values()]) {
      if (!session.named) continue;
      session.attempts = 0;
      this.reattach(session);
    }
  }

  private close(session: Session): void {
    if (session.timer !== null) clearTimeout(session.timer);
    session.controller.abort();
    if (this.sessions.get(session.answerId) === session) this.sessions.delete(session.answerId);
    this.streams.end(session.answerId);
  }
}

const engines = new WeakMap<QueryClient, ChatEngine>();

/** The engine of a query client (one per app). */
export function engineFor(queryClient: QueryClient): ChatEngine {
  let engine = engines.get(queryClient);
  if (!engine) engines.set(queryClient, (engine = new ChatEngine(queryClient)));
  return engine;
}
