// The account menu itself, loaded on first use (React.lazy in MeMenu): Fluent's Menu and Avatar
// stay out of the initial bundle. MeMenu owns the button; the menu points at it.
import {
  Avatar,
  Caption1,
  makeStyles,
  Menu,
  MenuDivider,
  MenuGroup,
  MenuGroupHeader,
  MenuItem,
  MenuItemRadio,
  MenuList,
  MenuPopover,
  Spinner,
  Text,
  tokens,
  useId,
  type MenuProps,
} from "@fluentui/react-components";
import { Keyboard20Regular, SignOut20Regular } from "@fluentui/react-icons";
import { ApiError } from "../../../api/client";
import { useTheme, type ThemePreference } from "../../../theme";
import { useLocale, useMessages, type LocalePreference } from "../../../i18n";
import { avatarColor } from "../avatarColor";
import { useSignOut } from "../signOut";
import { meMessages } from "../messages";
import type { MeRead } from "../types";

const useStyles = makeStyles({
  popover: { minWidth: "260px", maxWidth: "320px" },
  profile: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalS} ${tokens.spacingVerticalM}`,
  },
  who: { display: "flex", flexDirection: "column", minWidth: 0 },
  whoName: { fontWeight: tokens.fontWeightSemibold, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" },
  whoEmail: { color: tokens.colorNeutralForeground3, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" },
  error: {
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    color: tokens.colorStatusDangerForeground1,
    fontSize: tokens.fontSizeBase200,
    lineHeight: tokens.lineHeightBase200,
  },
});

export interface MeMenuPopupProps {
  open: boolean;
  /** The button the menu belongs to. */
  anchor: HTMLElement | null;
  me: MeRead | undefined;
  /** The photo to show (null: the initials). */
  photo: string | null;
  onPhotoError: () => void;
  /** `inside`: the event happened on the anchor (whose own click toggles the menu). */
  onOpenChange: (open: boolean, inside: boolean) => void;
  onShortcuts: () => void;
}

export default function MeMenuPopup({ open, anchor, me, photo, onPhotoError, onOpenChange, onShortcuts }: MeMenuPopupProps) {
  const styles = useStyles();
  const t = useMessages(meMessages);
  const theme = useTheme();
  const language = useLocale();
  const profileId = useId("me-name");
  const [signOut, runSignOut] = useSignOut();
  const signingOut = signOut.status === "running";

  const checked = { theme: [theme.preference], language: [language.preference] };
  const onChecked: MenuProps["onCheckedValueChange"] = (_, { name, checkedItems }) => {
    const value = checkedItems[0];
    if (!value) return;
    if (name === "theme") theme.setPreference(value as ThemePreference);
    if (name === "language") language.setPreference(value as LocalePreference);
  };

  return (
    <Menu
      open={open}
      onOpenChange={(event, data) => onOpenChange(data.open, event.target instanceof Node && !!anchor?.contains(event.target))}
      checkedValues={checked}
      onCheckedValueChange={onChecked}
      positioning={{ target: anchor, position: "below", align: "end" }}
    >
      <MenuPopover className={styles.popover}>
        <div className={styles.profile}>
          <Avatar
            size={40}
            name={me?.name}
            initials={me?.initials}
            image={photo ? { src: photo, alt: "", onError: onPhotoError } : undefined}
            color={me ? avatarColor(me.id) : "neutral"}
            aria-hidden
          />
          <div className={styles.who}>
            <Text id={profileId} className={styles.whoName}>
              {me?.name ?? t.loading}
            </Text>
            {me && <Caption1 className={styles.whoEmail}>{me.email ?? (me.auth_mode === "local" ? t.signedInLocally : "")}</Caption1>}
          </div>
        </div>
        <MenuList aria-labelledby={profileId}>
          <MenuDivider />
          <MenuGroup>
            <MenuGroupHeader>{t.theme}</MenuGroupHeader>
            <MenuItemRadio name="theme" value="system">
              {t.themeSystem}
            </MenuItemRadio>
            <MenuItemRadio name="theme" value="light">
              {t.themeLight}
            </MenuItemRadio>
            <MenuItemRadio name="theme" value="dark">
              {t.themeDark}
            </MenuItemRadio>
          </MenuGroup>
          <MenuDivider />
          <MenuGroup>
            <MenuGroupHeader>{t.language}</MenuGroupHeader>
            <MenuItemRadio name="language" value="auto">
              {t.languageAuto}
            </MenuItemRadio>
            <MenuItemRadio name="language" value="en" lang="en">
              English
            </MenuItemRadio>
            <MenuItemRadio name="language" value="ja" lang="ja">
              日本語
            </MenuItemRadio>
          </MenuGroup>
          <MenuDivider />
          <MenuItem icon={<Keyboard20Regular />} onClick={onShortcuts}>
            {t.shortcuts}
          </MenuItem>
          {me?.can_sign_out && (
            // Stays open while it runs (progress, then an error if it fails); on success the page goes.
            <MenuItem
              icon={signingOut ? <Spinner size="extra-tiny" aria-hidden /> : <SignOut20Regular />}
              persistOnClick
              disabled={signingOut}
              onClick={runSignOut}
            >
              {signingOut ? t.signingOut : t.signOut}
            </MenuItem>
          )}
        </MenuList>
        {signOut.status === "failed" && (
          <div role="alert" className={styles.error}>
            {t.signOutFailed}
            {signOut.error instanceof ApiError && signOut.error.message ? ` ${signOut.error.message}` : ""}
          </div>
        )}
      </MenuPopover>
    </Menu>
  );
}
