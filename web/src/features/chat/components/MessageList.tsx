import { makeStyles, tokens } from "@fluentui/react-components";
import { memo, startTransition, useEffect, useMemo, useRef, useState } from "react";
import { useMessages } from "../../../i18n";
import { rowKey, type Message } from "../cache";
import { chatMessages } from "../messages";
import { branchPosition, type MessageTree } from "../tree";
import { AssistantMessage, UserMessage } from "./MessageRow";
import { visuallyHidden } from "../../../components/visuallyHidden";

const useStyles = makeStyles({
  log: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXXL,
    paddingBlock: tokens.spacingVerticalXXL,
  },
  hidden: visuallyHidden,
});

// A long conversation opens at its end: the last rows render at once, the older ones in
// the background (interruptible, so typing never waits for them). Rows off screen also
// skip layout and paint (content-visibility in MessageRow).
const FIRST_ROWS = 6;
const MORE_ROWS = 12;

function whenIdle(callback: () => void): () => void {
  if (typeof requestIdleCallback === "function") {
    const handle = requestIdleCallback(callback, { timeout: 200 });
    return () => cancelIdleCallback(handle);
  }
  const handle = setTimeout(callback, 30);
  return () => clearTimeout(handle);
}

/** The path shown: every message from the first question to the current one. */
export const MessageList = memo(function MessageList(props: {
  /** Which conversation (the rendered window starts again for another one). */
  listKey: string;
  tree: MessageTree<Message>;
  path: readonly Message[];
  locked: boolean;
}) {
  const t = useMessages(chatMessages);
  const styles = useStyles();
  const { tree, path, locked, listKey } = props;
  const rows = useMemo(
    () => path.map((message) => ({ message, ...branchPosition(tree, message) })),
    [tree, path],
  );

  // How many of the last rows are rendered; new messages at the end add to it.
  const [rendered, setRendered] = useState({ key: listKey, length: rows.length, shown: FIRST_ROWS });
  let shown = rendered.shown;
  if (rendered.key !== listKey || rendered.length !== rows.length) {
    shown = rendered.key !== listKey ? FIRST_ROWS : rendered.shown + Math.max(0, rows.length - rendered.length);
    setRendered({ key: listKey, length: rows.length, shown });
  }
  const complete = shown >= rows.length;
  useEffect(() => {
    if (complete) return;
    return whenIdle(() => startTransition(() => setRendered((w) => ({ ...w, shown: w.shown + MORE_ROWS }))));
  }, [complete, shown]);

  // The log is busy while an answer streams (screen readers hold its changes); its end is
  // announced once, in words, instead of the answer being re-read a fragment at a time.
  const [announcement, setAnnouncement] = useState("");
  const wasLocked = useRef(locked);
  const lastStatus = rows[rows.length - 1]?.message.status;
  useEffect(() => {
    if (wasLocked.current && !locked) {
      setAnnouncement(
        lastStatus === "completed" ? t.announceCompleted : lastStatus === "stopped" ? t.announceStopped : t.announceFailed,
      );
    } else if (locked) {
      setAnnouncement("");
    }
    wasLocked.current = locked;
  }, [locked, lastStatus, t]);

  const start = Math.max(0, rows.length - shown);
  return (
    <>
    <div role="status" className={styles.hidden}>
      {announcement}
    </div>
    <div role="log" aria-label={t.messages} aria-busy={locked || undefined} className={styles.log}>
      {rows.slice(start).map(({ message, index, count }, i) => {
        const Row = message.role === "user" ? UserMessage : AssistantMessage;
        return (
          <Row
            key={rowKey(message.id)}
            message={message}
            index={index}
            count={count}
            locked={locked}
            last={start + i === rows.length - 1}
          />
        );
      })}
    </div>
    </>
  );
});
