// One message: a question (a bubble on the right) or an answer (full width, with its marks
// and actions). Rows are memoised and read the streaming text themselves, so while an answer
// streams only its own row re-renders, once per frame.
import { Button, makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import { ArrowClockwise20Regular, ArrowSync20Regular, Edit20Regular, Sparkle16Filled } from "@fluentui/react-icons";
import { memo, useMemo, useState } from "react";
import { useLocale, useMessages, type Locale } from "../../../i18n";
import { describeError, errorText } from "../errorText";
import { FeedbackButtons } from "../../feedback";
import { Markdown } from "../markdown";
import { isLocalId, type Message } from "../cache";
import { NETWORK_ERROR } from "../engine";
import { useChatEngine, useStream } from "../hooks/useChatEngine";
import { chatMessages, type ChatStrings } from "../messages";
import { BranchSwitcher, CopyButton, IconButton, useChatActions } from "./actions";
import { InlineEditor } from "./InlineEditor";
import { Notice } from "./Notice";

const ACTIONS = "chat-actions";

const useStyles = makeStyles({
  row: {
    display: "flex",
    flexDirection: "column",
    // Rows off screen skip layout and paint: long conversations open without a stall.
    contentVisibility: "auto",
    containIntrinsicSize: "auto 160px",
    [`:hover .${ACTIONS}`]: { opacity: 1 },
    [`:focus-within .${ACTIONS}`]: { opacity: 1 },
    "@media (hover: none)": { [`& .${ACTIONS}`]: { opacity: 1 } },
  },
  user: { alignItems: "flex-end", containIntrinsicSize: "auto 64px" },
  bubble: {
    maxWidth: "min(85%, 640px)",
    boxSizing: "border-box",
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    borderRadius: "18px",
    backgroundColor: tokens.colorNeutralBackground3,
    color: tokens.colorNeutralForeground1,
    fontSize: tokens.fontSizeBase300,
    lineHeight: tokens.lineHeightBase400,
    whiteSpace: "pre-wrap",
    overflowWrap: "anywhere",
  },
  editor: { width: "min(100%, 640px)" },
  header: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    marginBottom: tokens.spacingVerticalXS,
  },
  avatar: {
    width: "24px",
    height: "24px",
    borderRadius: tokens.borderRadiusCircular,
    display: "inline-flex",
    alignItems: "center",
    justifyContent: "center",
    flexShrink: 0,
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
  },
  name: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase300 },
  answer: {
    minWidth: 0,
    color: tokens.colorNeutralForeground1,
    fontSize: tokens.fontSizeBase300,
    lineHeight: tokens.lineHeightBase400,
    overflowWrap: "anywhere",
  },
  muted: { color: tokens.colorNeutralForeground3, fontStyle: "italic", margin: 0 },
  actions: {
    display: "flex",
    alignItems: "center",
    flexWrap: "wrap",
    gap: "2px",
    minHeight: "28px",
    opacity: 0,
    transitionProperty: "opacity",
    transitionDuration: tokens.durationFaster,
  },
  shown: { opacity: 1 },
  userActions: { marginTop: tokens.spacingVerticalXS },
  footer: { display: "flex", alignItems: "center", flexWrap: "wrap", marginTop: tokens.spacingVerticalXS },
  mark: {
    display: "inline-flex",
    alignItems: "center",
    height: "20px",
    paddingInline: tokens.spacingHorizontalS,
    marginInlineEnd: tokens.spacingHorizontalS,
    borderRadius: tokens.borderRadiusCircular,
    backgroundColor: tokens.colorNeutralBackground3,
    color: tokens.colorNeutralForeground2,
    fontSize: tokens.fontSizeBase200,
  },
  notice: { marginTop: tokens.spacingVerticalS },
  status: {
    display: "inline-flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalXS,
    marginTop: tokens.spacingVerticalXS,
    color: tokens.colorNeutralForeground3,
    fontSize: tokens.fontSizeBase200,
  },
  spin: {
    display: "inline-flex",
    animationName: { from: { transform: "rotate(0deg)" }, to: { transform: "rotate(360deg)" } },
    animationDuration: "1.2s",
    animationIterationCount: "infinite",
    animationTimingFunction: "linear",
  },
  dots: { display: "inline-flex", gap: "5px", alignItems: "center", height: tokens.lineHeightBase400 },
  dot: {
    width: "7px",
    height: "7px",
    borderRadius: tokens.borderRadiusCircular,
    backgroundColor: tokens.colorNeutralForeground3,
    animationName: { "0%, 80%, 100%": { opacity: 0.25, transform: "scale(0.8)" }, "40%": { opacity: 1, transform: "scale(1)" } },
    animationDuration: "1.2s",
    animationIterationCount: "infinite",
    "@media (prefers-reduced-motion: reduce)": { animationName: "none", opacity: 0.6 },
  },
  dot2: { animationDelay: "0.15s" },
  dot3: { animationDelay: "0.3s" },
});

interface RowProps {
  message: Message;
  /** Position among its versions. */
  index: number;
  count: number;
  /** An answer is being written in this conversation: no edits, regenerations or branch switches. */
  locked: boolean;
  last: boolean;
}


export const UserMessage = memo(function UserMessage({ message, index, count, locked, last }: RowProps) {
  const t = useMessages(chatMessages);
  const styles = useStyles();
  const actions = useChatActions();
  const [editing, setEditing] = useState(false);
  return (
    <article
      className={mergeClasses(styles.row, styles.user)}
      data-role="user"
      data-status={message.status}
      data-message-id={message.id}
      aria-label={t.you}
    >
      {editing ? (
        <div className={styles.editor}>
          <InlineEditor
            initial={message.content}
            label={t.editQuestionLabel}
            submitLabel={t.saveAndSend}
            busy={locked}
            onCancel={() => setEditing(false)}
            onSubmit={(text) => {
              setEditing(false);
              actions.resendQuestion(message, text);
            }}
          />
        </div>
      ) : (
        <>
          <div className={styles.bubble}>{message.content}</div>
          <div className={mergeClasses(styles.actions, styles.userActions, ACTIONS, last && styles.shown)}>
            <CopyButton text={message.content} />
            <IconButton
              label={t.edit}
              icon={<Edit20Regular />}
              disabled={locked || isLocalId(message.id)}
              onClick={() => setEditing(true)}
            />
            <BranchSwitcher messageId={message.id} index={index} count={count} disabled={locked} />
          </div>
        </>
      )}
    </article>
  );
});

function Thinking({ label }: { label: string }) {
  const styles = useStyles();
  return (
    <span className={styles.dots} role="status" aria-label={label}>
      <span className={styles.dot} />
      <span className={mergeClasses(styles.dot, styles.dot2)} />
      <span className={mergeClasses(styles.dot, styles.dot3)} />
    </span>
  );
}

function failureDetail(message: Message, t: ChatStrings, locale: Locale): string | null {
  if (message.error?.code === NETWORK_ERROR) return t.networkError;
  return errorText(locale, message.error?.code, message.error?.detail);
}

export const AssistantMessage = memo(function AssistantMessage({ message, index, count, locked, last }: RowProps) {
  const t = useMessages(chatMessages);
  const { locale } = useLocale();
  const styles = useStyles();
  const actions = useChatActions();
  const engine = useChatEngine();
  const stream = useStream(engine, message.id);
  const [editing, setEditing] = useState(false);
  const [saving, setSaving] = useState(false);
  const [editError, setEditError] = useState<string | null>(null);
  const streaming = message.status === "streaming";
  const text = stream?.text ?? message.content;
  const local = isLocalId(message.id);
  // The same element while the text is the same: re-rendering the row skips the markdown.
  const markdown = useMemo(() => (text ? <Markdown text={text} streaming={streaming} /> : null), [text, streaming]);
  const failed = message.status === "failed";
  const interrupted = message.status === "interrupted";

  const save = async (content: string) => {
    setSaving(true);
    setEditError(null);
    try {
      await actions.saveAnswer(message.id, content);
      setEditing(false);
    } catch (error) {
      setEditError(describeError(error, locale, t.networkError));
    } finally {
      setSaving(false);
    }
  };

  let body;
  if (editing) {
    body = (
      <InlineEditor
        initial={message.content}
        label={t.editAnswerLabel}
        submitLabel={t.save}
        busy={saving}
        onCancel={() => {
          setEditing(false);
          setEditError(null);
        }}
        onSubmit={(content) => void save(content)}
      />
    );
  } else if (markdown) {
    body = markdown;
  } else if (streaming) {
    body = <Thinking label={t.thinking} />;
  } else if (message.status === "completed" || message.status === "stopped") {
    body = <p className={styles.muted}>{t.emptyAnswer}</p>;
  } else {
    body = null;
  }

  return (
    <article
      className={styles.row}
      data-role="assistant"
      data-status={message.status}
      data-message-id={message.id}
      aria-label={t.assistant}
      aria-busy={streaming || undefined}
    >
      <div className={styles.header}>
        <span className={styles.avatar} aria-hidden>
          <Sparkle16Filled />
        </span>
        <span className={styles.name}>{t.assistant}</span>
      </div>
      <div className={styles.answer} data-part="content">
        {body}
      </div>
      {editError ? <Notice className={styles.notice} intent="error" title={t.editFailed} detail={editError} alert /> : null}
      {streaming && stream?.connection === "reconnecting" ? (
        <span className={styles.status} role="status">
          <span className={styles.spin} aria-hidden>
            <ArrowSync20Regular />
          </span>
          {t.reconnecting}
        </span>
      ) : null}
      {streaming && stream?.connection === "lost" ? (
        <Notice className={styles.notice} intent="warning" title={t.connectionLost} alert>
          <Button size="small" icon={<ArrowSync20Regular />} onClick={() => actions.reconnect(message.id)}>
            {t.reconnect}
          </Button>
        </Notice>
      ) : null}
      {failed || interrupted ? (
        <Notice
          className={styles.notice}
          intent={failed ? "error" : "warning"}
          title={local ? t.sendFailed : failed ? t.failed : t.interrupted}
          detail={failureDetail(message, t, locale)}
          alert={last}
        >
          <Button size="small" icon={<ArrowClockwise20Regular />} disabled={locked} onClick={() => actions.retry(message)}>
            {t.retry}
          </Button>
        </Notice>
      ) : null}
      {message.status === "completed" && message.finish_reason === "length" ? (
        <span className={styles.status}>{t.cutOff}</span>
      ) : null}
      {message.finish_reason === "content_filter" ? <span className={styles.status}>{t.filtered}</span> : null}
      {editing ? null : (
        <div className={styles.footer}>
          {message.status === "stopped" ? (
            <span className={styles.mark}>{t.stopped}</span>
          ) : null}
          {message.edited_at ? (
            <span className={styles.mark}>{t.edited}</span>
          ) : null}
          <div className={mergeClasses(styles.actions, ACTIONS, (last || streaming) && styles.shown)}>
            {streaming || (failed && !text) ? null : (
              <>
                {text ? <CopyButton text={text} /> : null}
                {local ? null : (
                  <>
                    <IconButton
                      label={t.regenerate}
                      icon={<ArrowClockwise20Regular />}
                      disabled={locked}
                      onClick={() => actions.regenerate(message)}
                    />
                    <IconButton label={t.edit} icon={<Edit20Regular />} disabled={locked} onClick={() => setEditing(true)} />
                    <FeedbackButtons message={message} conversationId={actions.conversationId} />
                  </>
                )}
              </>
            )}
            <BranchSwitcher messageId={message.id} index={index} count={count} disabled={locked} />
          </div>
        </div>
      )}
    </article>
  );
});
