import { Caption1, makeStyles, mergeClasses, ToggleButton, tokens, Tooltip, useId } from "@fluentui/react-components";
import { Checkmark16Regular, ThumbDislike20Filled, ThumbDislike20Regular, ThumbLike20Filled, ThumbLike20Regular } from "@fluentui/react-icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { QuietBoundary } from "../../../components/QuietBoundary";
import { api, dataOf, type Schemas } from "../../../api/client";
import { queryKeys } from "../../../api/keys";
import { useMessages } from "../../../i18n";
import { optimisticFeedback, withFeedback } from "../cache";
import { feedbackMessages } from "../messages";
import type { Rating } from "../reasons";

type Feedback = Schemas["FeedbackRead"];
type Change = Schemas["FeedbackCreate"] | null;
type Status = "thanks" | "removed" | "failed";

const loadPopover = () => import("./FeedbackPopover");
const FeedbackPopover = lazy(loadPopover);
const preload = () => void loadPopover().catch(() => undefined);

const useStyles = makeStyles({
  root: { display: "inline-flex", alignItems: "center", gap: tokens.spacingHorizontalXXS },
  thumb: { minWidth: "28px" },
  pressed: { color: tokens.colorBrandForeground1 },
  status: {
    display: "inline-flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalXXS,
    marginInlineStart: tokens.spacingHorizontalXS,
    color: tokens.colorNeutralForeground3,
    ":empty": { display: "none" },
  },
  failed: { color: tokens.colorPaletteRedForeground1 },
});

/** A comparable form of the feedback, so a re-rendered but equal message does not count as news. */
function feedbackKey(feedback: Feedback | null | undefined): string {
  return feedback ? `${feedback.rating}|${feedback.reason ?? ""}|${feedback.comment ?? ""}|${feedback.updated_at}` : "";
}

function FeedbackControls({ message, conversationId }: { message: Schemas["MessageRead"]; conversationId: string }) {
  const styles = useStyles();
  const t = useMessages(feedbackMessages);
  const client = useQueryClient();
  // What we last set, until the message we are given catches up (it may not come from the cache).
  const [override, setOverride] = useState<{ value: Feedback | null } | null>(null);
  const given = feedbackKey(message.feedback);
  useEffect(() => {
    setOverride(null);
  }, [given]);
  const current = override ? override.value : message.feedback;

  const [popover, setPopover] = useState<Rating | null>(null);
  const [anchor, setAnchor] = useState<HTMLButtonElement | null>(null);
  const headingId = useId("feedback-heading");
  const buttons = { up: useRef<HTMLButtonElement>(null), down: useRef<HTMLButtonElement>(null) };

  const [status, setStatus] = useState<Status | null>(null);
  const statusTimer = useRef<number | undefined>(undefined);
  const showStatus = (next: Status) => {
    setStatus(next);
    window.clearTimeout(statusTimer.current);
    statusTimer.current = window.setTimeout(() => setStatus(null), next === "failed" ? 8000 : 4000);
  };
  useEffect(() => () => window.clearTimeout(statusTimer.current), []);

  const store = (value: Feedback | null) => {
    setOverride({ value });
    client.setQueryData(queryKeys.conversation(conversationId), (old: Partial<Schemas["ConversationDetail"]> | undefined) =>
      old ? withFeedback(old, message.id, value) : old,
    );
  };

  const latest = useRef(0);
  const mutation = useMutation({
    // One message's changes reach the server in the order they were made.
    scope: { id: `feedback:${message.id}` },
    mutationFn: async ({ change }: { change: Change; seq: number; previous: Feedback | null }) => {
      const path = { params: { path: { message_id: message.id } } };
      if (change === null) {
        await api.DELETE("/api/messages/{message_id}/feedback", path);
        return null;
      }
      return dataOf(await api.POST("/api/messages/{message_id}/feedback", { ...path, body: change }));
    },
    onSuccess: (saved, { seq }) => {
      if (seq !== latest.current) return;
      store(saved);
      showStatus(saved ? "thanks" : "removed");
    },
    onError: (_error, { seq, previous }) => {
      if (seq !== latest.current) return;
      store(previous);
      setPopover(null);
      showStatus("failed");
    },
  });

  const send = (change: Change) => {
    const previous = current ?? null;
    const seq = ++latest.current;
    store(change ? optimisticFeedback(message.id, change, previous, new Date()) : null);
    mutation.mutate({ change, seq, previous });
  };

  const choose = (rating: Rating) => {
    if (current?.rating === rating) {
      setPopover(null);
      send(null);
      return;
    }
    send({ rating });
    setAnchor(buttons[rating].current);
    setPopover(rating);
  };

  const closePopover = () => {
    const rating = popover;
    setPopover(null);
    if (rating) buttons[rating].current?.focus();
  };

  const thumb = (rating: Rating) => {
    const pressed = current?.rating === rating;
    const label = rating === "up" ? t.good : t.bad;
    const Icon = rating === "up" ? (pressed ? ThumbLike20Filled : ThumbLike20Regular) : pressed ? ThumbDislike20Filled : ThumbDislike20Regular;
    return (
      <Tooltip content={label} relationship="label">
        <ToggleButton
          ref={buttons[rating]}
          className={mergeClasses(styles.thumb, pressed && styles.pressed)}
          size="small"
          appearance="subtle"
          icon={<Icon />}
          checked={pressed}
          onPointerEnter={preload}
          onFocus={preload}
          onClick={() => choose(rating)}
        />
      </Tooltip>
    );
  };

  return (
    <span className={styles.root}>
      {thumb("up")}
      {thumb("down")}
      <Caption1 role="status" className={mergeClasses(styles.status, status === "failed" && styles.failed)}>
        {status === "thanks" && <Checkmark16Regular aria-hidden />}
        {status === "thanks" ? t.thanks : status === "removed" ? t.removed : status === "failed" ? t.failed : ""}
      </Caption1>
      {popover !== null && (
        <QuietBoundary>
          <Suspense fallback={null}>
          <FeedbackPopover
            rating={popover}
            anchor={anchor}
            headingId={headingId}
            initial={current ?? null}
            onClose={closePopover}
            onSubmit={(change) => {
              send(change);
              closePopover();
            }}
          />
          </Suspense>
        </QuietBoundary>
      )}
    </span>
  );
}

/** Thumbs up and down for a finished answer; nothing for questions or answers still being written. */
export function FeedbackButtons({ message, conversationId }: { message: Schemas["MessageRead"]; conversationId: string }) {
  if (message.role !== "assistant" || message.status === "streaming") return null;
  return <FeedbackControls message={message} conversationId={conversationId} />;
}
