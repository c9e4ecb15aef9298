// The chat: a conversation (or a new chat's empty state), its header and the message box.
// Server state comes from TanStack Query; answers in flight from the ChatEngine.
import { Button, makeStyles, tokens } from "@fluentui/react-components";
import { ArrowDown20Regular, Dismiss20Regular } from "@fluentui/react-icons";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ApiError, isSignedOut, type Schemas } from "../../../api/client";
import { useLocale, useMessages } from "../../../i18n";
import { describeError } from "../errorText";
import { useChatDefaults, type ChatSettings, type ChatSettingsPatch } from "../../settings";
import { draftMessage, localId, type Conversation, type Message } from "../cache";
import { NEW_CHAT_DRAFT, restoreDraft } from "../drafts";
import { useChatEngine } from "../hooks/useChatEngine";
import { useConversation } from "../hooks/useConversation";
import { useStickToBottom } from "../hooks/useStickToBottom";
import { chatMessages } from "../messages";
import { buildTree, parentForEditedQuestion, parentForNewQuestion, switchTarget, visiblePath } from "../tree";
import { ChatActionsContext, type ChatActions } from "./actions";
import { ChatHeader } from "./ChatHeader";
import { Composer, type ComposerHandle } from "./Composer";
import { EmptyState } from "./EmptyState";
import { MessageList } from "./MessageList";
import { Notice } from "./Notice";

export interface ChatViewProps {
  conversationId: string | null;
  onOpenConversation: (id: string, options?: { replace?: boolean }) => void;
  onNewChat: () => void;
}

const NO_MESSAGES: Message[] = [];

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    height: "100%",
    minHeight: 0,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  body: { position: "relative", flexGrow: 1, minHeight: 0, display: "flex", flexDirection: "column" },
  scroller: { flexGrow: 1, minHeight: 0, overflowY: "auto", overflowX: "hidden", scrollbarGutter: "stable both-edges" },
  column: {
    maxWidth: "800px",
    minHeight: "100%",
    marginInline: "auto",
    paddingInline: tokens.spacingHorizontalXL,
    boxSizing: "border-box",
    display: "flex",
    flexDirection: "column",
    "@media (max-width: 760px)": { paddingInline: tokens.spacingHorizontalM },
  },
  jump: {
    position: "absolute",
    bottom: tokens.spacingVerticalM,
    left: "50%",
    transform: "translateX(-50%)",
    boxShadow: tokens.shadow8,
    zIndex: 1,
  },
  center: { margin: "auto", width: "100%", maxWidth: "560px", paddingBlock: tokens.spacingVerticalXXL },
  noticeBar: {
    maxWidth: "800px",
    width: "100%",
    boxSizing: "border-box",
    marginInline: "auto",
    paddingInline: tokens.spacingHorizontalL,
    paddingBottom: tokens.spacingVerticalS,
  },
  skeleton: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXL, paddingBlock: tokens.spacingVerticalXXL },
  bar: {
    height: "14px",
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground3,
    animationName: { "0%": { opacity: 1 }, "50%": { opacity: 0.5 }, "100%": { opacity: 1 } },
    animationDuration: "1.4s",
    animationIterationCount: "infinite",
  },
  barUser: { alignSelf: "flex-end", width: "40%", height: "40px", borderRadius: "18px" },
});

/** A new chat's first question while its conversation is created (the ids become the engine's). */
interface Pending {
  content: string;
  error: string | null;
  questionId: string;
  answerId: string;
}


function settingsOf(conversation: Conversation): ChatSettings {
  return { system_prompt: conversation.system_prompt, parameters: conversation.parameters, model: conversation.model };
}

function mergeDraft(draft: ChatSettingsPatch, patch: ChatSettingsPatch): ChatSettingsPatch {
  return { ...draft, ...patch };
}

function Skeleton() {
  const styles = useStyles();
  return (
    <div className={styles.skeleton} aria-hidden>
      <div className={`${styles.bar} ${styles.barUser}`} />
      <div className={styles.bar} style={{ width: "90%" }} />
      <div className={styles.bar} style={{ width: "75%" }} />
      <div className={styles.bar} style={{ width: "82%" }} />
    </div>
  );
}

export function ChatView({ conversationId, onOpenConversation, onNewChat }: ChatViewProps) {
  const t = useMessages(chatMessages);
  const { locale } = useLocale();
  const styles = useStyles();
  const engine = useChatEngine();
  const query = useConversation(conversationId);
  const conversation = conversationId !== null ? query.data : undefined;

  // A new chat: settings chosen before it exists, and its first question while it is created.
  const [draft, setDraft] = useState<ChatSettingsPatch>({});
  const keepDraft = useRef(false);
  const [pending, setPending] = useState<Pending | null>(null);
  const [notice, setNotice] = useState<{ title: string; detail: string } | null>(null);
  const composer = useRef<ComposerHandle>(null);
  const stopWhenCreated = useRef(false);
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);

  useEffect(() => {
    setNotice(null);
    if (conversationId === null) {
      if (!keepDraft.current) setDraft({});
      keepDraft.current = false;
    }
  }, [conversationId]);

  const messages = conversation?.messages ?? NO_MESSAGES;
  const pendingMessages = useMemo(() => {
    if (!pending || conversationId !== null) return null;
    const at = new Date().toISOString();
    return [
      draftMessage({
        id: pending.questionId,
        conversation_id: "",
        parent_id: null,
        role: "user",
        content: pending.content,
        status: "completed",
        created_at: at,
      }),
      draftMessage({
        id: pending.answerId,
        conversation_id: "",
        parent_id: pending.questionId,
        role: "assistant",
        content: "",
        status: pending.error ? "failed" : "streaming",
        error: pending.error ? { code: "create_failed", detail: pending.error } : null,
        created_at: at,
      }),
    ];
  }, [pending, conversationId]);
  const tree = useMemo(() => buildTree(pendingMessages ?? messages), [pendingMessages, messages]);
  const path = useMemo(
    () => visiblePath(tree, pendingMessages ? pending?.answerId : conversation?.current_message_id),
    [tree, pendingMessages, pending?.answerId, conversation?.current_message_id],
  );
  const last = path[path.length - 1];
  const streamingId = last && last.role === "assistant" && last.status === "streaming" ? last.id : null;
  const locked = streamingId !== null;
  const creating = conversationId === null && pending !== null && pending.error === null;

  // Answers still being written when the conversation was loaded (a reload, another tab): follow them.
  useEffect(() => {
    if (!conversation) return;
    for (const message of conversation.messages) {
      if (message.role === "assistant" && message.status === "streaming") {
        engine.attach(conversation.id, message.id, message.content);
      }
    }
  }, [conversation, engine]);

  const { atBottom, toBottom } = useStickToBottom(scroller, content, conversationId ?? "new");

  // Callbacks read the latest state through refs, so rows and the composer keep stable props.
  const latest = useRef({ conversation, conversationId, tree, path, streamingId, draft, pending, creating });
  latest.current = { conversation, conversationId, tree, path, streamingId, draft, pending, creating };

  const fail = useCallback((title: string) => (error: unknown) => setNotice({ title, detail: describeError(error, locale, t.networkError) }), [t, locale]);

  const startNewChat = useCallback(
    async (text: string) => {
      const ids = { question: localId(), answer: localId() };
      const pendingNow = { content: text, error: null, questionId: ids.question, answerId: ids.answer };
      setPending(pendingNow);
      stopWhenCreated.current = false;
      try {
        const id = await engine.createConversation(latest.current.draft);
        engine.send(id, text, null, ids);
        // Stop pressed while the conversation was being created: stop as soon as the answer exists.
        if (stopWhenCreated.current) void engine.stop(id, ids.answer);
        setPending(null);
        // Only if the user is still here: one who opened another chat meanwhile stays there
        // (the new chat is in the history list).
        if (latest.current.conversationId === null) onOpenConversation(id, { replace: true });
      } catch (error) {
        // Signed out: the question waits in the message box for after signing in again.
        if (isSignedOut(error)) restoreDraft(NEW_CHAT_DRAFT, text);
        setPending({ ...pendingNow, error: describeError(error, locale, t.networkError) });
      }
    },
    [engine, onOpenConversation, t, locale],
  );

  const send = useCallback(
    (text: string) => {
      const { conversationId: id, path: shown } = latest.current;
      setNotice(null);
      toBottom();
      if (id === null) void startNewChat(text);
      else engine.send(id, text, parentForNewQuestion(shown));
    },
    [engine, startNewChat, toBottom],
  );

  const stop = useCallback(() => {
    const { conversationId: id, streamingId: answer, creating: beingCreated } = latest.current;
    if (beingCreated) stopWhenCreated.current = true;
    else if (id !== null && answer !== null) engine.stop(id, answer).catch(fail(t.stopFailed));
  }, [engine, fail, t]);

  // Esc stops the answer being written (not while a dialog or menu has the key).
  const stoppable = streamingId !== null || creating;
  useEffect(() => {
    if (!stoppable) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape" || event.shiftKey || event.isComposing || event.defaultPrevented) return;
      const target = event.target instanceof Element ? event.target : null;
      if (target?.closest('[role="dialog"],[role="alertdialog"],[role="menu"],[role="listbox"]')) return;
      event.preventDefault();
      stop();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [stoppable, stop]);

  const applySettings = useCallback(
    (patch: ChatSettingsPatch) => {
      const id = latest.current.conversationId;
      if (id === null) setDraft((current) => mergeDraft(current, patch));
      else engine.updateSettings(id, patch).catch(fail(t.settingsSaveFailed));
    },
    [engine, fail, t],
  );

  const pickPreset = useCallback(
    (preset: Schemas["PresetRead"]) => {
      applySettings({ system_prompt: preset.system_prompt, parameters: preset.parameters, model: preset.model });
      composer.current?.focus();
    },
    [applySettings],
  );

  const clearChat = useCallback(() => {
    const current = latest.current.conversation;
    if (current) {
      keepDraft.current = true;
      setDraft(settingsOf(current));
    }
    onNewChat();
  }, [onNewChat]);

  const actions = useMemo<ChatActions>(
    () => ({
      conversationId: conversationId ?? "",
      regenerate: (message) => {
        if (conversationId === null) return;
        toBottom();
        engine.regenerate(conversationId, message);
      },
      retry: (message) => {
        if (message.id === latest.current.pending?.answerId) {
          const text = latest.current.pending?.content;
          if (text) void startNewChat(text);
          return;
        }
        if (conversationId === null) return;
        toBottom();
        engine.retry(conversationId, message.id);
      },
      reconnect: (messageId) => engine.reconnect(messageId),
      saveAnswer: (messageId, text) =>
        conversationId === null ? Promise.resolve() : engine.editAnswer(conversationId, messageId, text),
      resendQuestion: (question, text) => {
        if (conversationId === null) return;
        toBottom();
        engine.send(conversationId, text, parentForEditedQuestion(question));
      },
      switchVersion: (messageId, step) => {
        if (conversationId === null) return;
        const target = switchTarget(latest.current.tree, messageId, step);
        if (target) engine.switchBranch(conversationId, target).catch(fail(t.switchFailed));
      },
    }),
    [conversationId, engine, fail, startNewChat, t, toBottom],
  );

  const defaults = useChatDefaults().settings;
  const settings = useMemo<ChatSettings>(
    () =>
      conversation
        ? settingsOf(conversation)
        : {
            ...defaults,
            ...draft,
            parameters: { ...defaults.parameters, ...draft.parameters },
          },
    // Only the settings' fields matter, not every message change.
    [conversation?.system_prompt, conversation?.parameters, conversation?.model, conversation === undefined, draft, defaults],
  );

  const title = conversationId === null ? t.newChatTitle : (conversation?.title ?? "");
  const loadError = conversationId !== null && query.isError && !conversation ? query.error : null;

  let body;
  if (loadError) {
    const missing = loadError instanceof ApiError && loadError.status === 404;
    body = (
      <div className={styles.center}>
        <Notice intent="error" title={missing ? t.notFound : t.loadFailed} detail={missing ? null : describeError(loadError, locale, t.networkError)} alert>
          {missing ? null : (
            <Button size="small" onClick={() => void query.refetch()}>
              {t.retry}
            </Button>
          )}
          <Button size="small" appearance="primary" onClick={onNewChat}>
            {t.newChat}
          </Button>
        </Notice>
      </div>
    );
  } else if (conversationId !== null && !conversation) {
    body = <Skeleton />;
  } else if (path.length === 0) {
    body = <EmptyState onPickPreset={pickPreset} onExample={(prompt) => composer.current?.fill(prompt)} />;
  } else {
    body = <MessageList listKey={conversationId ?? "new"} tree={tree} path={path} locked={locked || creating} />;
  }

  return (
    <ChatActionsContext.Provider value={actions}>
      <div className={styles.root}>
        <ChatHeader
          title={title}
          settings={settings}
          onSettingsChange={applySettings}
          canClear={path.length > 0 && conversationId !== null}
          onClear={clearChat}
          onNewChat={onNewChat}
        />
        <div className={styles.body}>
          <div ref={scroller} className={styles.scroller}>
            <div ref={content} className={styles.column}>
              {body}
            </div>
          </div>
          {!atBottom && path.length > 0 ? (
            <Button
              className={styles.jump}
              shape="circular"
              icon={<ArrowDown20Regular />}
              aria-label={t.jumpToLatest}
              onClick={() => toBottom(true)}
            />
          ) : null}
        </div>
        {notice ? (
          <div className={styles.noticeBar}>
            <Notice intent="error" title={notice.title} detail={notice.detail} alert>
              <Button
                size="small"
                appearance="subtle"
                icon={<Dismiss20Regular />}
                aria-label={t.dismiss}
                onClick={() => setNotice(null)}
              />
            </Notice>
          </div>
        ) : null}
        <Composer
          ref={composer}
          draftKey={conversationId ?? NEW_CHAT_DRAFT}
          streaming={locked || creating}
          disabled={conversationId !== null && !conversation}
          onSend={send}
          onStop={stop}
        />
      </div>
    </ChatActionsContext.Provider>
  );
}
