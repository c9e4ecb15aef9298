import { makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import { ErrorCircle20Regular, Warning20Regular } from "@fluentui/react-icons";
import type { ReactNode } from "react";

const useStyles = makeStyles({
  root: {
    display: "flex",
    alignItems: "flex-start",
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusLarge,
    fontSize: tokens.fontSizeBase300,
    lineHeight: tokens.lineHeightBase300,
    flexWrap: "wrap",
  },
  error: {
    backgroundColor: tokens.colorStatusDangerBackground1,
    border: `1px solid ${tokens.colorStatusDangerBorder1}`,
    color: tokens.colorNeutralForeground1,
  },
  warning: {
    backgroundColor: tokens.colorStatusWarningBackground1,
    border: `1px solid ${tokens.colorStatusWarningBorder1}`,
    color: tokens.colorNeutralForeground1,
  },
  icon: { flexShrink: 0, marginTop: "2px", display: "flex" },
  errorIcon: { color: tokens.colorStatusDangerForeground1 },
  warningIcon: { color: tokens.colorStatusWarningForeground1 },
  text: { flexGrow: 1, flexBasis: "200px", minWidth: 0, overflowWrap: "anywhere" },
  title: { fontWeight: tokens.fontWeightSemibold },
  detail: { color: tokens.colorNeutralForeground2 },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "center", marginLeft: "auto" },
});

export function Notice(props: {
  intent: "error" | "warning";
  title: string;
  detail?: string | null;
  children?: ReactNode;
  alert?: boolean;
  className?: string;
}) {
  const styles = useStyles();
  const error = props.intent === "error";
  return (
    <div
      role={props.alert ? "alert" : undefined}
      className={mergeClasses(styles.root, error ? styles.error : styles.warning, props.className)}
    >
      <span className={mergeClasses(styles.icon, error ? styles.errorIcon : styles.warningIcon)} aria-hidden>
        {error ? <ErrorCircle20Regular /> : <Warning20Regular />}
      </span>
      <div className={styles.text}>
        <div className={styles.title}>{props.title}</div>
        {props.detail ? <div className={styles.detail}>{props.detail}</div> : null}
      </div>
      {props.children ? <div className={styles.actions}>{props.children}</div> : null}
    </div>
  );
}
