import { Button, makeStyles, mergeClasses, tokens, type MenuOpenChangeData } from "@fluentui/react-components";
import { MoreHorizontal20Regular } from "@fluentui/react-icons";
import { lazy, memo, Suspense, useEffect, useRef, useState, type MouseEvent } from "react";
import { format } from "../../../i18n";
import type { Conversation } from "../api/cache";
import type { HistoryStrings } from "../messages";
import { useFieldStyles } from "./fields";

export const loadItemMenu = () => import("./ItemMenu");
const ItemMenu = lazy(loadItemMenu);

const MAX_TITLE = 200;

const useStyles = makeStyles({
  row: {
    position: "relative",
    listStyleType: "none",
    borderRadius: tokens.borderRadiusMedium,
    // The menu button shows on hover, on keyboard focus inside the row and while its menu is open.
    ":hover [data-more]": { opacity: 1 },
    ":focus-within [data-more]": { opacity: 1 },
  },
  link: {
    display: "block",
    paddingBlock: "7px",
    paddingInlineStart: tokens.spacingHorizontalM,
    paddingInlineEnd: "36px",
    borderRadius: tokens.borderRadiusMedium,
    color: tokens.colorNeutralForeground1,
    textDecorationLine: "none",
    fontSize: tokens.fontSizeBase300,
    lineHeight: tokens.lineHeightBase300,
    whiteSpace: "nowrap",
    overflow: "hidden",
    textOverflow: "ellipsis",
    outlineStyle: "none",
    scrollMarginBlock: "36px", // clear of the sticky group heading when moved to by keyboard
    ":hover": { backgroundColor: tokens.colorNeutralBackground3Hover },
    ":active": { backgroundColor: tokens.colorNeutralBackground3Pressed },
    ":focus-visible": {
      outlineStyle: "solid",
      outlineWidth: tokens.strokeWidthThick,
      outlineColor: tokens.colorStrokeFocus2,
      outlineOffset: `calc(-1 * ${tokens.strokeWidthThick})`,
    },
  },
  active: {
    backgroundColor: tokens.colorNeutralBackground1Selected,
    fontWeight: tokens.fontWeightSemibold,
    ":hover": { backgroundColor: tokens.colorNeutralBackground1Selected },
    "& ~ [data-more]": { opacity: 1 },
  },
  more: {
    position: "absolute",
    insetInlineEnd: tokens.spacingHorizontalXS,
    top: "50%",
    transform: "translateY(-50%)",
    minWidth: "28px",
    width: "28px",
    height: "28px",
    opacity: 0,
    color: tokens.colorNeutralForeground2,
    '&[aria-expanded="true"]': { opacity: 1 },
    // Touch screens have no hover: always show it there.
    "@media (hover: none)": { opacity: 1 },
  },
  // The text stays where the title was (the frame has a 1px border).
  rename: { marginBlock: "1px", paddingInlineStart: `calc(${tokens.spacingHorizontalM} - 1px)` },
});

interface Props {
  conversation: Conversation;
  active: boolean;
  editing: boolean;
  t: HistoryStrings;
  onSelect: (id: string) => void;
  onStartRename: (id: string) => void;
  /** The new title, or null when nothing changed; focus goes back to the item unless the user left the field. */
  onEndRename: (conversation: Conversation, title: string | null, returnFocus: boolean) => void;
  onDelete: (conversation: Conversation) => void;
  onMenuOpen: () => void;
}

export const ConversationItem = memo(function ConversationItem({
  conversation,
  active,
  editing,
  t,
  onSelect,
  onStartRename,
  onEndRename,
  onDelete,
  onMenuOpen,
}: Props) {
  const styles = useStyles();
  const { id, title } = conversation;
  const [moreButton, setMoreButton] = useState<HTMLElement | null>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  // The menu mounts on first open and then stays (closed, it renders nothing).
  const [menuUsed, setMenuUsed] = useState(false);
  const openMenu = () => {
    setMenuUsed(true);
    setMenuOpen(true);
    onMenuOpen();
  };
  const onMenuOpenChange = (data: MenuOpenChangeData) => {
    if (data.open) return openMenu();
    // A click on the button itself is "outside" the menu: the button's own handler closes it.
    if (data.type === "clickOutside" && moreButton?.contains(data.event.target as Node)) return;
    setMenuOpen(false);
    // Closed from the keyboard or by choosing an item: focus goes back to the button (a chosen rename
    // or delete then moves it on). A click elsewhere keeps focus where the user put it.
    if (data.type !== "clickOutside" && data.type !== "scrollOutside") moreButton?.focus();
  };

  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    // Let the browser open a new tab or window for modified clicks.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    onSelect(id);
  };

  return (
    <li className={styles.row} data-conversation-id={id}>
      {editing ? (
        <RenameField
          initial={title}
          label={format(t.renameLabel, { title })}
          className={styles.rename}
          onDone={(next, returnFocus) => onEndRename(conversation, next, returnFocus)}
        />
      ) : (
        <a
          href={`/c/${encodeURIComponent(id)}`}
          className={mergeClasses(styles.link, active && styles.active)}
          aria-current={active ? "page" : undefined}
          title={title}
          data-item-link=""
          onClick={onClick}
        >
          {title}
        </a>
      )}
      {!editing && (
        <Button
          ref={setMoreButton}
          className={styles.more}
          appearance="subtle"
          size="small"
          icon={<MoreHorizontal20Regular />}
          aria-label={format(t.moreOptionsFor, { title })}
          aria-haspopup="menu"
          aria-expanded={menuOpen}
          data-more=""
          onClick={() => (menuOpen ? setMenuOpen(false) : openMenu())}
          onKeyDown={(event) => {
            if (event.key === "ArrowDown" && !menuOpen) {
              event.preventDefault();
              openMenu();
            }
          }}
        />
      )}
      {!editing && menuUsed && (
        <Suspense fallback={null}>
          <ItemMenu
            id={id}
            t={t}
            open={menuOpen}
            target={moreButton}
            onOpenChange={onMenuOpenChange}
            onRename={() => onStartRename(id)}
            onDelete={() => onDelete(conversation)}
          />
        </Suspense>
      )}
    </li>
  );
});

/** The inline title editor: Enter (or leaving the field) saves, Esc cancels. */
function RenameField({
  initial,
  label,
  className,
  onDone,
}: {
  initial: string;
  label: string;
  className: string;
  onDone: (title: string | null, returnFocus: boolean) => void;
}) {
  const field = useFieldStyles();
  const [value, setValue] = useState(initial);
  const input = useRef<HTMLInputElement>(null);
  const finished = useRef(false);
  const finish = (title: string | null, returnFocus: boolean) => {
    if (finished.current) return;
    finished.current = true;
    const next = title?.trim() ?? "";
    onDone(next && next !== initial ? next : null, returnFocus);
  };
  useEffect(() => {
    // The menu that started the rename gives focus back to its button as it closes: take it after that.
    const frame = requestAnimationFrame(() => {
      input.current?.focus();
      input.current?.select();
    });
    return () => cancelAnimationFrame(frame);
  }, []);
  return (
    <div className={mergeClasses(field.frame, className)}>
      <input
        ref={input}
        className={field.input}
        type="text"
        value={value}
        maxLength={MAX_TITLE}
        aria-label={label}
        onChange={(event) => setValue(event.target.value)}
        onKeyDown={(event) => {
          if (event.nativeEvent.isComposing) return; // Enter that confirms an IME conversion
          if (event.key === "Enter") {
            event.preventDefault();
            finish(value, true);
          } else if (event.key === "Escape") {
            event.preventDefault();
            event.stopPropagation(); // not also the phone overlay
            finish(null, true);
          }
        }}
        onBlur={() => finish(value, false)}
      />
    </div>
  );
}
