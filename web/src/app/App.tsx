import { Button, makeStyles, mergeClasses, Text, tokens } from "@fluentui/react-components";
import { Dismiss24Regular, Navigation24Regular } from "@fluentui/react-icons";
import { useCallback, useEffect, useState } from "react";
import { CHAT_INPUT_ID, ChatView, focusChatInput } from "../features/chat";
import { HistorySidebar } from "../features/history";
import { MeMenu } from "../features/me";
import { SimulatedNotice } from "../features/settings";
import { useMessages } from "../i18n";
import { appMessages } from "./messages";
import { useRoute } from "./route";
import { useShortcuts } from "./shortcuts";

const PHONE = "@media (max-width: 760px)";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", height: "100%", backgroundColor: tokens.colorNeutralBackground2 },
  header: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    height: "48px",
    flexShrink: 0,
    paddingInline: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground1,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  menuButton: { display: "none", [PHONE]: { display: "inline-flex" } },
  brand: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase400 },
  spacer: { flexGrow: 1 },
  body: { display: "flex", flexGrow: 1, minHeight: 0, position: "relative" },
  sidebar: {
    width: "280px",
    flexShrink: 0,
    display: "flex",
    flexDirection: "column",
    backgroundColor: tokens.colorNeutralBackground3,
    borderRight: `1px solid ${tokens.colorNeutralStroke2}`,
    [PHONE]: {
      display: "none",
      position: "absolute",
      insetBlock: 0,
      insetInlineStart: 0,
      zIndex: 10,
      width: "min(85vw, 320px)",
      boxShadow: tokens.shadow28,
    },
  },
  sidebarOpen: { [PHONE]: { display: "flex" } },
  main: { flexGrow: 1, minWidth: 0, display: "flex", flexDirection: "column" },
  skip: {
    position: "absolute",
    left: "-10000px",
    ":focus": { left: tokens.spacingHorizontalM, top: tokens.spacingVerticalS, zIndex: 100 },
  },
});

export function App() {
  const styles = useStyles();
  const t = useMessages(appMessages);
  const [route, go] = useRoute();
  const [sidebarOpen, setSidebarOpen] = useState(false);
  const activeId = route.name === "conversation" ? route.id : null;

  const openConversation = useCallback(
    (id: string, options?: { replace?: boolean }) => {
      go({ name: "conversation", id }, options);
      setSidebarOpen(false);
    },
    [go],
  );
  const newChat = useCallback(() => {
    go({ name: "new" });
    setSidebarOpen(false);
    requestAnimationFrame(focusChatInput);
  }, [go]);
  useShortcuts({ newChat });
  useEffect(() => {
    if (!sidebarOpen) return;
    const onKey = (event: KeyboardEvent) => event.key === "Escape" && setSidebarOpen(false);
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [sidebarOpen]);

  return (
    <div className={styles.root}>
      <a className={styles.skip} href={`#${CHAT_INPUT_ID}`}>
        {t.skipToChat}
      </a>
      <header className={styles.header}>
        <Button
          className={styles.menuButton}
          appearance="subtle"
          icon={sidebarOpen ? <Dismiss24Regular /> : <Navigation24Regular />}
          aria-label={sidebarOpen ? t.closeHistory : t.openHistory}
          aria-expanded={sidebarOpen}
          aria-controls="history"
          onClick={() => setSidebarOpen((open) => !open)}
        />
        <Text as="h1" className={styles.brand}>
          {t.appName}
        </Text>
        <SimulatedNotice />
        <div className={styles.spacer} />
        <MeMenu />
      </header>
      <div className={styles.body}>
        <nav id="history" aria-label={t.history} className={mergeClasses(styles.sidebar, sidebarOpen && styles.sidebarOpen)}>
          <HistorySidebar activeId={activeId} onSelect={openConversation} onNewChat={newChat} />
        </nav>
        <main className={styles.main}>
          <ChatView conversationId={activeId} onOpenConversation={openConversation} onNewChat={newChat} />
        </main>
      </div>
    </div>
  );
}
