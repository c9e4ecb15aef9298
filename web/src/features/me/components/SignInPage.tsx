// Shown instead of the app when the API says nobody is signed in (401 not_signed_in): at start,
// or when a session ends mid-use. The button leaves the app (a full page load) for the server's
// /auth/login, which comes back to this page's path once signed in.
import { Button, makeStyles, Spinner, tokens } from "@fluentui/react-components";
import { useState } from "react";
import { format, useMessages } from "../../../i18n";
import { authErrorText, authMessages } from "../authMessages";
import { leaveFor, returnToOf, signInUrl } from "../signIn";
import { AuthAlert, AuthLayout, Muted } from "./AuthLayout";
import { MicrosoftLogo } from "./MicrosoftLogo";

const useStyles = makeStyles({
  button: { alignSelf: "stretch", gap: tokens.spacingHorizontalS },
  code: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
});

export interface SignInPageProps {
  /** `?auth_error=<code>` the page was opened with (a failed sign-in), or null. */
  authError: string | null;
  /** The app was in use: the session ended (rather than never started). */
  sessionEnded: boolean;
}

export default function SignInPage({ authError, sessionEnded }: SignInPageProps) {
  const styles = useStyles();
  const t = useMessages(authMessages);
  const [leaving, setLeaving] = useState(false);
  const signIn = () => {
    setLeaving(true);
    leaveFor(signInUrl(returnToOf(window.location)));
  };
  return (
    <AuthLayout title={t.productName}>
      <Muted>{sessionEnded ? t.sessionEnded : t.tagline}</Muted>
      {authError !== null && (
        <AuthAlert title={t.authErrorTitle}>
          <span>{authErrorText(t, authError)}</span>
          <span className={styles.code}>{format(t.errorCode, { code: authError })}</span>
        </AuthAlert>
      )}
      <Button
        className={styles.button}
        appearance="primary"
        size="large"
        icon={leaving ? <Spinner size="tiny" appearance="inverted" aria-hidden /> : <MicrosoftLogo />}
        disabledFocusable={leaving}
        onClick={signIn}
      >
        {leaving ? t.signingIn : t.signIn}
      </Button>
    </AuthLayout>
  );
}
