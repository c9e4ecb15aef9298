// The message box: grows with its text, Enter sends, Shift+Enter is a new line, an Enter
// that confirms an IME conversion never sends (enterKey.ts). While an answer is written its
// button is Stop. Unsent text is kept per conversation for the tab's life (drafts.ts).
import { Button, makeStyles, mergeClasses, tokens, Tooltip } from "@fluentui/react-components";
import { ArrowUp20Filled, Stop20Filled } from "@fluentui/react-icons";
import { memo, useEffect, useImperativeHandle, useRef, useState, type Ref } from "react";
import { CHAT_INPUT_ID } from "../input";
import { useMessages } from "../../../i18n";
import { clearDraft, getDraft, setDraft } from "../drafts";
import { CompositionTracker, enterAction } from "../enterKey";
import { useAutosize } from "../hooks/useAutosize";
import { chatMessages } from "../messages";

export interface ComposerHandle {
  /** Put text in the box (an example prompt) and focus it. */
  fill(text: string): void;
  focus(): void;
}

const MAX_HEIGHT = 240;

const useStyles = makeStyles({
  root: {
    flexShrink: 0,
    paddingInline: tokens.spacingHorizontalL,
    paddingBottom: tokens.spacingVerticalS,
    "@media (max-width: 760px)": { paddingInline: tokens.spacingHorizontalS },
  },
  box: {
    maxWidth: "800px",
    marginInline: "auto",
    display: "flex",
    alignItems: "flex-end",
    gap: tokens.spacingHorizontalS,
    boxSizing: "border-box",
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalS} ${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    borderRadius: "26px",
    border: `1px solid ${tokens.colorNeutralStroke1}`,
    backgroundColor: tokens.colorNeutralBackground1,
    boxShadow: tokens.shadow4,
    cursor: "text",
    ":focus-within": { border: `1px solid ${tokens.colorNeutralStrokeAccessible}` },
  },
  area: {
    flexGrow: 1,
    minWidth: 0,
    boxSizing: "border-box",
    resize: "none",
    border: "none",
    outline: "none",
    backgroundColor: "transparent",
    color: tokens.colorNeutralForeground1,
    fontFamily: tokens.fontFamilyBase,
    fontSize: tokens.fontSizeBase400,
    lineHeight: "24px",
    paddingBlock: "6px",
    paddingInline: 0,
    margin: 0,
    "::placeholder": { color: tokens.colorNeutralForeground4 },
  },
  send: { flexShrink: 0, minWidth: "36px", width: "36px", height: "36px" },
  hint: {
    maxWidth: "800px",
    marginInline: "auto",
    paddingTop: tokens.spacingVerticalXS,
    textAlign: "center",
    color: tokens.colorNeutralForeground3,
    fontSize: tokens.fontSizeBase100,
    lineHeight: tokens.lineHeightBase100,
    "@media (max-width: 760px)": { display: "none" },
  },
  stopped: {},
});

interface ComposerProps {
  /** Whose unsent text this is (a conversation id, or "new"). */
  draftKey: string;
  streaming: boolean;
  /** Not ready to send (the conversation is still loading). */
  disabled?: boolean;
  onSend: (text: string) => void;
  onStop: () => void;
  ref?: Ref<ComposerHandle>;
}

function finePointer(): boolean {
  return typeof window.matchMedia === "function" && window.matchMedia("(pointer: fine)").matches;
}

export const Composer = memo(function Composer({ draftKey, streaming, disabled = false, onSend, onStop, ref }: ComposerProps) {
  const t = useMessages(chatMessages);
  const styles = useStyles();
  const area = useRef<HTMLTextAreaElement>(null);
  const tracker = useRef(new CompositionTracker());
  const [text, setText] = useState(() => getDraft(draftKey));
  const [shownKey, setShownKey] = useState(draftKey);
  if (shownKey !== draftKey) {
    // Another conversation: show its unsent text.
    setShownKey(draftKey);
    setText(getDraft(draftKey));
  }
  useAutosize(area, text, MAX_HEIGHT);

  useImperativeHandle(
    ref,
    () => ({
      fill(value: string) {
        setText(value);
        setDraft(draftKey, value);
        requestAnimationFrame(() => {
          const el = area.current;
          if (!el) return;
          el.focus();
          el.setSelectionRange(value.length, value.length);
        });
      },
      focus() {
        area.current?.focus();
      },
    }),
    [draftKey],
  );

  // A desktop user can type at once; on a phone, focusing would pop up the keyboard.
  useEffect(() => {
    if (finePointer()) area.current?.focus();
  }, [draftKey]);

  const empty = text.trim() === "";
  const submit = () => {
    if (empty || streaming || disabled) return;
    onSend(text.trim());
    setText("");
    clearDraft(draftKey);
  };

  return (
    <form
      className={styles.root}
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <div className={styles.box} onClick={() => area.current?.focus()}>
        <textarea
          id={CHAT_INPUT_ID}
          ref={area}
          className={styles.area}
          aria-label={t.message}
          placeholder={t.placeholder}
          rows={1}
          value={text}
          enterKeyHint="send"
          onChange={(event) => {
            setText(event.target.value);
            setDraft(draftKey, event.target.value);
          }}
          onCompositionStart={() => tracker.current.start()}
          onCompositionEnd={() => tracker.current.end()}
          onKeyDown={(event) => {
            const action = enterAction(
              {
                key: event.key,
                shiftKey: event.shiftKey,
                altKey: event.altKey,
                ctrlKey: event.ctrlKey,
                metaKey: event.metaKey,
                isComposing: event.nativeEvent.isComposing,
                keyCode: event.keyCode,
              },
              tracker.current.state(),
            );
            if (action === "send") {
              event.preventDefault();
              submit();
            }
          }}
        />
        {streaming ? (
          <Tooltip content={t.stopHint} relationship="description" withArrow>
            <Button
              className={mergeClasses(styles.send, styles.stopped)}
              appearance="primary"
              shape="circular"
              icon={<Stop20Filled />}
              aria-label={t.stop}
              onClick={onStop}
            />
          </Tooltip>
        ) : (
          <Button
            className={styles.send}
            type="submit"
            appearance="primary"
            shape="circular"
            icon={<ArrowUp20Filled />}
            aria-label={t.send}
            disabled={empty || disabled}
          />
        )}
      </div>
      <div className={styles.hint}>{t.composerHint}</div>
    </form>
  );
});
