// The frame of the pages shown instead of the app (sign-in, not allowed): a centred card with
// the product's name as the page's heading. Part of the pages' lazy chunk.
import { makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import { ErrorCircle20Regular } from "@fluentui/react-icons";
import type { ReactNode } from "react";

const useStyles = makeStyles({
  root: {
    display: "flex",
    alignItems: "center",
    justifyContent: "center",
    minHeight: "100%",
    boxSizing: "border-box",
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  card: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
    width: "100%",
    maxWidth: "440px",
    boxSizing: "border-box",
    padding: `${tokens.spacingVerticalXXL} ${tokens.spacingHorizontalXXL}`,
    borderRadius: tokens.borderRadiusXLarge,
    backgroundColor: tokens.colorNeutralBackground1,
    boxShadow: tokens.shadow16,
    color: tokens.colorNeutralForeground1,
    fontFamily: tokens.fontFamilyBase,
    fontSize: tokens.fontSizeBase300,
    lineHeight: tokens.lineHeightBase300,
  },
  heading: {
    margin: 0,
    fontSize: tokens.fontSizeBase600,
    lineHeight: tokens.lineHeightBase600,
    fontWeight: tokens.fontWeightSemibold,
  },
  alert: {
    display: "flex",
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusLarge,
    backgroundColor: tokens.colorStatusDangerBackground1,
    border: `1px solid ${tokens.colorStatusDangerBorder1}`,
  },
  alertIcon: { flexShrink: 0, marginTop: "2px", display: "flex", color: tokens.colorStatusDangerForeground1 },
  alertText: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS, minWidth: 0, overflowWrap: "anywhere" },
  alertTitle: { fontWeight: tokens.fontWeightSemibold },
  muted: { margin: 0, color: tokens.colorNeutralForeground2 },
});

export function AuthLayout({ title, children }: { title: string; children: ReactNode }) {
  const styles = useStyles();
  return (
    <main className={styles.root}>
      <div className={styles.card}>
        <h1 className={styles.heading}>{title}</h1>
        {children}
      </div>
    </main>
  );
}

/** An error in the card: announced when it appears. */
export function AuthAlert({ title, children }: { title: string; children?: ReactNode }) {
  const styles = useStyles();
  return (
    <div role="alert" className={styles.alert}>
      <span className={styles.alertIcon} aria-hidden>
        <ErrorCircle20Regular />
      </span>
      <div className={styles.alertText}>
        <span className={styles.alertTitle}>{title}</span>
        {children}
      </div>
    </div>
  );
}

export function Muted({ children, className }: { children: ReactNode; className?: string }) {
  const styles = useStyles();
  return <p className={mergeClasses(styles.muted, className)}>{children}</p>;
}
