// Shown instead of the app when /api/me answers 403 not_allowed: the user is signed in, but a
// role, tenant or group the server requires is missing (the server's detail says which).
import { Button, makeStyles, Spinner, tokens } from "@fluentui/react-components";
import { SignOut20Regular } from "@fluentui/react-icons";
import { ApiError } from "../../../api/client";
import { format, useMessages } from "../../../i18n";
import { authMessages } from "../authMessages";
import { useSignOut } from "../signOut";
import { AuthAlert, AuthLayout, Muted } from "./AuthLayout";

const useStyles = makeStyles({
  missing: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXXS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusLarge,
    backgroundColor: tokens.colorNeutralBackground3,
    overflowWrap: "anywhere",
  },
  lead: { margin: 0 },
  label: { fontWeight: tokens.fontWeightSemibold },
  button: { alignSelf: "flex-start" },
});

export interface NotAllowedPageProps {
  /** Who is signed in, when known. */
  name: string | null;
  /** The server's words for what is missing. */
  detail: string;
}

export default function NotAllowedPage({ name, detail }: NotAllowedPageProps) {
  const styles = useStyles();
  const t = useMessages(authMessages);
  const [signOut, run] = useSignOut();
  const running = signOut.status === "running";
  return (
    <AuthLayout title={t.notAllowedTitle}>
      <p className={styles.lead}>{name ? format(t.notAllowedAs, { name }) : t.notAllowedAnonymous}</p>
      {detail && (
        <div className={styles.missing}>
          <span className={styles.label}>{t.missing}</span>
          <span>{detail}</span>
        </div>
      )}
      <Muted>{t.askAdmin}</Muted>
      {signOut.status === "failed" && (
        <AuthAlert title={t.signOutFailed}>
          {signOut.error instanceof ApiError ? signOut.error.message : t.networkError}
        </AuthAlert>
      )}
      <Button
        className={styles.button}
        appearance="primary"
        icon={running ? <Spinner size="tiny" appearance="inverted" aria-hidden /> : <SignOut20Regular />}
        disabledFocusable={running}
        onClick={run}
      >
        {running ? t.signingOut : t.signOut}
      </Button>
    </AuthLayout>
  );
}
