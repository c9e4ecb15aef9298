// Editing in place: a question (to send again as a new version) or an answer (corrected by hand).
import { Button, makeStyles, tokens } from "@fluentui/react-components";
import { useRef, useState } from "react";
import { useMessages } from "../../../i18n";
import { useAutosize } from "../hooks/useAutosize";
import { chatMessages } from "../messages";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    width: "100%",
    padding: tokens.spacingVerticalS,
    boxSizing: "border-box",
    borderRadius: tokens.borderRadiusXLarge,
    border: `1px solid ${tokens.colorNeutralStroke1}`,
    backgroundColor: tokens.colorNeutralBackground1,
    ":focus-within": { border: `1px solid ${tokens.colorCompoundBrandStroke}` },
  },
  area: {
    width: "100%",
    boxSizing: "border-box",
    resize: "none",
    border: "none",
    outline: "none",
    backgroundColor: "transparent",
    color: tokens.colorNeutralForeground1,
    fontFamily: tokens.fontFamilyBase,
    fontSize: tokens.fontSizeBase300,
    lineHeight: tokens.lineHeightBase400,
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
  },
  buttons: { display: "flex", justifyContent: "flex-end", gap: tokens.spacingHorizontalS },
});

export function InlineEditor(props: {
  initial: string;
  label: string;
  submitLabel: string;
  busy?: boolean;
  onSubmit: (text: string) => void;
  onCancel: () => void;
}) {
  const t = useMessages(chatMessages);
  const styles = useStyles();
  const [value, setValue] = useState(props.initial);
  const area = useRef<HTMLTextAreaElement>(null);
  useAutosize(area, value, 400);
  const empty = value.trim() === "";
  const submit = () => {
    if (!empty && !props.busy) props.onSubmit(value);
  };
  return (
    <div className={styles.root}>
      <textarea
        ref={area}
        className={styles.area}
        aria-label={props.label}
        value={value}
        rows={1}
        autoFocus
        onFocus={(event) => {
          const el = event.currentTarget;
          el.setSelectionRange(el.value.length, el.value.length);
        }}
        onChange={(event) => setValue(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Escape" && !event.nativeEvent.isComposing) {
            event.preventDefault();
            props.onCancel();
          } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.nativeEvent.isComposing) {
            event.preventDefault();
            submit();
          }
        }}
      />
      <div className={styles.buttons}>
        <Button size="small" onClick={props.onCancel}>
          {t.cancel}
        </Button>
        <Button size="small" appearance="primary" disabled={empty || props.busy} onClick={submit}>
          {props.submitLabel}
        </Button>
      </div>
    </div>
  );
}
