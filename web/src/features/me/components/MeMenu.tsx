import { Button, makeStyles, tokens } from "@fluentui/react-components";
import { ChevronDown16Regular } from "@fluentui/react-icons";
import { lazy, Suspense, useCallback, useRef, useState, type KeyboardEvent } from "react";
import { QuietBoundary } from "../../../components/QuietBoundary";
import { format, useMessages } from "../../../i18n";
import { useMe } from "../api";
import { meMessages } from "../messages";
import { LiteAvatar } from "./LiteAvatar";

const loadPopup = () => import("./MeMenuPopup");
const MeMenuPopup = lazy(loadPopup);
const ShortcutsDialog = lazy(() => import("./ShortcutsDialog"));

const PHONE = "@media (max-width: 760px)";

const useStyles = makeStyles({
  trigger: {
    minWidth: 0,
    maxWidth: "240px",
    gap: tokens.spacingHorizontalS,
    paddingInline: tokens.spacingHorizontalXS,
    fontWeight: tokens.fontWeightRegular,
    [PHONE]: { paddingInline: "2px" },
  },
  name: { overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap", [PHONE]: { display: "none" } },
  chevron: { flexShrink: 0, color: tokens.colorNeutralForeground3, [PHONE]: { display: "none" } },
});

/** The header's account button and menu: who is signed in, theme, language, shortcuts, sign-out. */
export function MeMenu() {
  const styles = useStyles();
  const t = useMessages(meMessages);
  const { data: me } = useMe();
  // A photo that failed to load (no consent, a Graph error, a session that ended) gives way to
  // the initials, here and in the menu.
  const [failedPhoto, setFailedPhoto] = useState<string | null>(null);
  const photo = me?.photo_url && me.photo_url !== failedPhoto ? me.photo_url : null;
  const onPhotoError = useCallback(() => setFailedPhoto(me?.photo_url ?? null), [me?.photo_url]);
  const button = useRef<HTMLButtonElement>(null);
  const [open, setOpen] = useState(false);
  const [menuMounted, setMenuMounted] = useState(false);
  const [shortcuts, setShortcuts] = useState<"closed" | "open" | "mounted">("closed");
  const preload = () => void loadPopup().catch(() => undefined);

  const show = () => {
    setMenuMounted(true);
    setOpen(true);
  };
  const onOpenChange = useCallback((next: boolean, inside: boolean) => {
    // A click on the button itself toggles the menu in the button's own handler.
    if (!next && inside) return;
    setOpen(next);
    if (!next) {
      // As a menu button does: focus goes back to the button unless it moved elsewhere (Tab).
      requestAnimationFrame(() => {
        const active = document.activeElement;
        if (!active || active === document.body || active.closest('[role="menu"]')) button.current?.focus();
      });
    }
  }, []);

  return (
    <>
      <Button
        ref={button}
        appearance="subtle"
        className={styles.trigger}
        aria-label={me ? format(t.accountOf, { name: me.name }) : t.account}
        aria-haspopup="menu"
        aria-expanded={open}
        onPointerEnter={preload}
        onFocus={preload}
        onClick={() => (open ? setOpen(false) : show())}
        onKeyDown={(event: KeyboardEvent) => {
          if (event.key === "ArrowDown" && !open) {
            event.preventDefault();
            show();
          }
        }}
      >
        <LiteAvatar me={me} photo={photo} onPhotoError={onPhotoError} />
        {me && <span className={styles.name}>{me.name}</span>}
        <ChevronDown16Regular className={styles.chevron} aria-hidden />
      </Button>
      {menuMounted && (
        <QuietBoundary>
          <Suspense fallback={null}>
            <MeMenuPopup
              open={open}
              anchor={button.current}
              me={me}
              photo={photo}
              onPhotoError={onPhotoError}
              onOpenChange={onOpenChange}
              onShortcuts={() => setShortcuts("open")}
            />
          </Suspense>
        </QuietBoundary>
      )}
      {shortcuts !== "closed" && (
        <QuietBoundary>
          <Suspense fallback={null}>
            <ShortcutsDialog open={shortcuts === "open"} onOpenChange={(next) => setShortcuts(next ? "open" : "mounted")} />
          </Suspense>
        </QuietBoundary>
      )}
    </>
  );
}
