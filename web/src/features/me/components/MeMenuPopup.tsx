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
  MenuItemLink,
  MenuItemRadio,
  MenuList,
  MenuPopover,
  Text,
  tokens,
  useId,
  type MenuProps,
} from "@fluentui/react-components";
import { Keyboard20Regular, SignOut20Regular } from "@fluentui/react-icons";
import type { Schemas } from "../../../api/client";
import { useTheme, type ThemePreference } from "../../../theme";
import { useLocale, useMessages, type LocalePreference } from "../../../i18n";
import { avatarColor } from "../avatarColor";
import { meMessages } from "../messages";

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
});

export interface MeMenuPopupProps {
  open: boolean;
  /** The button the menu belongs to. */
  anchor: HTMLElement | null;
  me: Schemas["MeRead"] | undefined;
  /** `inside`: the event happened on the anchor (whose own click toggles the menu). */
  onOpenChange: (open: boolean, inside: boolean) => void;
  onShortcuts: () => void;
}

export default function MeMenuPopup({ open, anchor, me, onOpenChange, onShortcuts }: MeMenuPopupProps) {
  const styles = useStyles();
  const t = useMessages(meMessages);
  const theme = useTheme();
  const language = useLocale();
  const profileId = useId("me-name");

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
            image={me?.photo_url ? { src: me.photo_url, alt: "" } : undefined}
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
          {me?.sign_out_url && (
            <MenuItemLink href={me.sign_out_url} icon={<SignOut20Regular />}>
              {t.signOut}
            </MenuItemLink>
          )}
        </MenuList>
      </MenuPopover>
    </Menu>
  );
}
