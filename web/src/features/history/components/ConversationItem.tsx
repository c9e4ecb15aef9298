import { Button, Input, makeStyles, mergeClasses, tokens, type ButtonProps } from "@fluentui/react-components";
import { MoreHorizontal20Regular } from "@fluentui/react-icons";
import { lazy, memo, Suspense, useEffect, useRef, useState, type MouseEvent } from "react";
import { format } from "../../../i18n";
import type { Conversation } from "../api/cache";
import type { HistoryStrings } from "../messages";

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
  rename: { width: "100%" },
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
  const [openOnLoad, setOpenOnLoad] = useState(false);
  const moreButton: ButtonProps = {
    className: styles.more,
    appearance: "subtle",
    size: "small",
    icon: <MoreHorizontal20Regular />,
    "aria-label": format(t.moreOptionsFor, { title }),
    // @ts-expect-error -- a data attribute, which ButtonProps does not list
    "data-more": "",
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
        <Suspense
          fallback={
            <Button
              {...moreButton}
              aria-haspopup="menu"
              aria-expanded={false}
              onClick={() => {
                // Clicked before the menu's code arrived: open it as soon as it does.
                setOpenOnLoad(true);
                void loadItemMenu();
              }}
            />
          }
        >
          <ItemMenu
            id={id}
            t={t}
            button={moreButton}
            defaultOpen={openOnLoad}
            onOpen={onMenuOpen}
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
    <Input
      ref={input}
      className={className}
      size="small"
      value={value}
      maxLength={MAX_TITLE}
      aria-label={label}
      onChange={(_event, data) => setValue(data.value)}
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
  );
}
