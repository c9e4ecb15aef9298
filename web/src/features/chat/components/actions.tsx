// What a message row can ask the chat view to do, through one context whose value stays the
// same while a conversation is open, so memoised rows do not re-render because of it.
import { Button, makeStyles, mergeClasses, tokens, Tooltip } from "@fluentui/react-components";
import { Checkmark20Regular, ChevronLeft16Regular, ChevronRight16Regular, Copy20Regular } from "@fluentui/react-icons";
import { createContext, useContext, useEffect, useRef, useState, type ReactElement } from "react";
import { useMessages } from "../../../i18n";
import type { Message } from "../cache";
import { copyText } from "../copy";
import { chatMessages } from "../messages";
import { visuallyHidden } from "../../../components/visuallyHidden";

export interface ChatActions {
  conversationId: string;
  regenerate(message: Message): void;
  retry(message: Message): void;
  reconnect(messageId: string): void;
  saveAnswer(messageId: string, content: string): Promise<void>;
  resendQuestion(question: Message, content: string): void;
  switchVersion(messageId: string, step: -1 | 1): void;
}

export const ChatActionsContext = createContext<ChatActions | null>(null);

export function useChatActions(): ChatActions {
  const actions = useContext(ChatActionsContext);
  if (!actions) throw new Error("useChatActions outside ChatActionsContext");
  return actions;
}

const useStyles = makeStyles({
  button: { minWidth: "28px", color: tokens.colorNeutralForeground3 },
  switcher: {
    display: "inline-flex",
    alignItems: "center",
    color: tokens.colorNeutralForeground3,
    fontSize: tokens.fontSizeBase200,
  },
  count: { minWidth: "28px", textAlign: "center", fontVariantNumeric: "tabular-nums", userSelect: "none" },
  hidden: visuallyHidden,
});

export function IconButton(props: {
  label: string;
  icon: ReactElement;
  onClick: () => void;
  disabled?: boolean;
  className?: string;
}) {
  const styles = useStyles();
  return (
    <Tooltip content={props.label} relationship="label" withArrow>
      <Button
        appearance="subtle"
        size="small"
        className={mergeClasses(styles.button, props.className)}
        icon={props.icon}
        aria-label={props.label}
        disabled={props.disabled}
        onClick={props.onClick}
      />
    </Tooltip>
  );
}

export function CopyButton({ text }: { text: string }) {
  const t = useMessages(chatMessages);
  const styles = useStyles();
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const onClick = async () => {
    const copied = await copyText(text);
    setState(copied ? "copied" : "failed");
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setState("idle"), 2000);
  };
  return (
    <>
      <IconButton label={t.copy} icon={state === "copied" ? <Checkmark20Regular /> : <Copy20Regular />} onClick={onClick} />
      <span role="status" className={styles.hidden}>
        {state === "copied" ? t.copied : state === "failed" ? t.copyFailed : ""}
      </span>
    </>
  );
}

/** `< 1/2 >`: the versions of a message (edited questions, regenerated answers). */
export function BranchSwitcher(props: { messageId: string; index: number; count: number; disabled: boolean }) {
  const t = useMessages(chatMessages);
  const styles = useStyles();
  const actions = useChatActions();
  if (props.count < 2) return null;
  return (
    <span className={styles.switcher} role="group" aria-label={t.versions}>
      <IconButton
        label={t.previousVersion}
        icon={<ChevronLeft16Regular />}
        disabled={props.disabled || props.index === 0}
        onClick={() => actions.switchVersion(props.messageId, -1)}
      />
      <span className={styles.count}>
        {props.index + 1}/{props.count}
      </span>
      <IconButton
        label={t.nextVersion}
        icon={<ChevronRight16Regular />}
        disabled={props.disabled || props.index === props.count - 1}
        onClick={() => actions.switchVersion(props.messageId, 1)}
      />
    </span>
  );
}
