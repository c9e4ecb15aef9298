import { Button, makeStyles, Text, tokens } from "@fluentui/react-components";
import { Component, type ReactNode } from "react";
import { useMessages } from "../i18n";
import { appMessages } from "./messages";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    alignItems: "center",
    justifyContent: "center",
    gap: tokens.spacingVerticalM,
    height: "100%",
    padding: tokens.spacingHorizontalXXL,
    textAlign: "center",
    backgroundColor: tokens.colorNeutralBackground1,
  },
});

function Fallback() {
  const styles = useStyles();
  const t = useMessages(appMessages);
  return (
    <div role="alert" className={styles.root}>
      <Text as="h1" size={500} weight="semibold">
        {t.crashedTitle}
      </Text>
      <Text>{t.crashedDetail}</Text>
      <Button appearance="primary" onClick={() => window.location.reload()}>
        {t.reload}
      </Button>
    </div>
  );
}

/** The last line of defence: a render error anywhere shows a way back instead of a blank page.
 * Conversations live on the server, so a reload loses nothing but unsent text. */
export class AppErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  componentDidCatch(error: unknown) {
    console.error("scalechat: the app failed to render", error);
  }

  render() {
    return this.state.failed ? <Fallback /> : this.props.children;
  }
}
