// The left sidebar: New chat, search, and the user's chats newest first, grouped by day, loaded page
// by page as the list scrolls. Each chat has a menu: rename inline, export, delete (with a confirmation).
import { Button, makeStyles, mergeClasses, Text, tokens } from "@fluentui/react-components";
import {
  ArrowClockwise16Regular,
  ChatMultiple32Regular,
  Compose20Regular,
  Dismiss16Regular,
  ErrorCircle20Regular,
  SearchInfo24Regular,
} from "@fluentui/react-icons";
import { lazy, Suspense, useCallback, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { format, useLocale, useMessages } from "../../../i18n";
import { flattenPages, type Conversation } from "../api/cache";
import { useConversationList, useDeleteConversation, useRenameConversation } from "../api/conversations";
import { groupByDate, groupLabel, localMidnight } from "../grouping";
import { useDebouncedValue } from "../hooks/useDebouncedValue";
import { useLoadMore } from "../hooks/useLoadMore";
import { historyMessages } from "../messages";
import { ConversationItem, loadItemMenu } from "./ConversationItem";
import { BusyMark } from "./fields";
import { SearchField } from "./SearchField";

const loadDeleteDialog = () => import("./DeleteDialog");
const DeleteDialog = lazy(loadDeleteDialog);

const SEARCH_DELAY_MS = 250;
const IS_MAC = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", height: "100%", minHeight: 0 },
  top: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    paddingBlock: `${tokens.spacingVerticalM} ${tokens.spacingVerticalS}`,
    paddingInline: tokens.spacingHorizontalS,
    flexShrink: 0,
  },
  newChat: {
    justifyContent: "flex-start",
    width: "100%",
    paddingInline: tokens.spacingHorizontalM,
    fontWeight: tokens.fontWeightSemibold,
    ":hover [data-shortcut]": { opacity: 1 },
    ":focus-visible [data-shortcut]": { opacity: 1 },
  },
  newChatLabel: { flexGrow: 1, textAlign: "start" },
  shortcut: {
    opacity: 0,
    color: tokens.colorNeutralForeground3,
    fontSize: tokens.fontSizeBase200,
    fontWeight: tokens.fontWeightRegular,
    "@media (hover: none)": { display: "none" },
  },
  scroller: {
    flexGrow: 1,
    minHeight: 0,
    overflowY: "auto",
    overscrollBehavior: "contain",
    paddingInline: tokens.spacingHorizontalS,
    paddingBottom: tokens.spacingVerticalL,
    outlineStyle: "none",
  },
  stale: { opacity: 0.6, transitionProperty: "opacity", transitionDuration: tokens.durationNormal },
  group: { marginTop: tokens.spacingVerticalS },
  heading: {
    position: "sticky",
    top: 0,
    zIndex: 1,
    margin: 0,
    paddingBlock: `${tokens.spacingVerticalS} ${tokens.spacingVerticalXS}`,
    paddingInline: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground3,
    color: tokens.colorNeutralForeground3,
    fontSize: tokens.fontSizeBase200,
    lineHeight: tokens.lineHeightBase200,
    fontWeight: tokens.fontWeightSemibold,
  },
  list: { margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: "1px" },
  message: {
    display: "flex",
    flexDirection: "column",
    alignItems: "center",
    textAlign: "center",
    gap: tokens.spacingVerticalXS,
    paddingBlock: tokens.spacingVerticalXXL,
    paddingInline: tokens.spacingHorizontalL,
    color: tokens.colorNeutralForeground3,
    overflowWrap: "anywhere",
  },
  messageIcon: { color: tokens.colorNeutralForeground4, marginBottom: tokens.spacingVerticalXS },
  messageTitle: { color: tokens.colorNeutralForeground2, fontWeight: tokens.fontWeightSemibold },
  messageBody: { fontSize: tokens.fontSizeBase200, lineHeight: tokens.lineHeightBase200 },
  row: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    minHeight: "36px",
    paddingInline: tokens.spacingHorizontalM,
    color: tokens.colorNeutralForeground3,
    fontSize: tokens.fontSizeBase200,
  },
  errorIcon: { color: tokens.colorStatusDangerForeground1, flexShrink: 0 },
  grow: { flexGrow: 1 },
  sentinel: { height: "1px" },
  skeleton: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, padding: tokens.spacingHorizontalM },
  bar: {
    height: "12px",
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralStencil1,
    animationName: { "0%": { opacity: 1 }, "50%": { opacity: 0.45 }, "100%": { opacity: 1 } },
    animationDuration: "1.4s",
    animationIterationCount: "infinite",
    "@media (prefers-reduced-motion: reduce)": { animationName: "none" },
  },
  notice: {
    display: "flex",
    alignItems: "flex-start",
    gap: tokens.spacingHorizontalS,
    marginInline: tokens.spacingHorizontalS,
    marginBottom: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalS,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorStatusDangerBackground1,
    color: tokens.colorStatusDangerForeground2,
    border: `1px solid ${tokens.colorStatusDangerBorder1}`,
    fontSize: tokens.fontSizeBase200,
    overflowWrap: "anywhere",
  },
  visuallyHidden: {
    position: "absolute",
    width: "1px",
    height: "1px",
    margin: "-1px",
    overflow: "hidden",
    clip: "rect(0 0 0 0)",
    whiteSpace: "nowrap",
  },
});

const SKELETON_WIDTHS = ["72%", "88%", "64%", "80%", "56%", "76%", "68%"];

interface Props {
  activeId: string | null;
  onSelect: (id: string) => void;
  onNewChat: () => void;
}

interface DeleteTarget {
  conversation: Conversation;
  /** Where focus goes once it is gone: the next chat, else the previous, else the list. */
  focusId: string | null;
}

export function HistorySidebar({ activeId, onSelect, onNewChat }: Props) {
  const styles = useStyles();
  const t = useMessages(historyMessages);
  const { locale } = useLocale();
  const headingId = useId();

  const [search, setSearch] = useState("");
  const query = useDebouncedValue(search.trim(), SEARCH_DELAY_MS, (value) => value === "");
  const list = useConversationList(query);
  const conversations = useMemo(() => flattenPages(list.data), [list.data]);
  const today = useToday();
  const groups = useMemo(() => groupByDate(conversations, new Date()), [conversations, today]);

  const scroller = useRef<HTMLDivElement>(null);
  const searchInput = useRef<HTMLInputElement>(null);
  const { hasNextPage, isFetchingNextPage, isFetchNextPageError, isPlaceholderData, fetchNextPage } = list;
  const sentinel = useLoadMore(
    scroller,
    hasNextPage && !isFetchingNextPage && !isFetchNextPageError && !isPlaceholderData,
    useCallback(() => void fetchNextPage(), [fetchNextPage]),
    "0px 0px 320px 0px",
  );

  // Fetch the item menu's code once there is something to open it on, when the browser is idle.
  const hasItems = conversations.length > 0;
  useEffect(() => {
    if (!hasItems) return;
    if (typeof requestIdleCallback === "function") {
      const handle = requestIdleCallback(() => void loadItemMenu(), { timeout: 2000 });
      return () => cancelIdleCallback(handle);
    }
    const timer = setTimeout(() => void loadItemMenu(), 200);
    return () => clearTimeout(timer);
  }, [hasItems]);

  // A new search starts at the top.
  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
  }, [query]);

  const focusItem = useCallback((id: string | null, part: "link" | "more" = "link") => {
    // After React has rendered and any closing menu or dialog has moved focus back.
    setTimeout(() => {
      const root = scroller.current;
      if (!root) return;
      const row = id ? root.querySelector(`[data-conversation-id="${CSS.escape(id)}"]`) : null;
      const target = row?.querySelector<HTMLElement>(part === "link" ? "[data-item-link]" : "[data-more]");
      (target ?? root).focus();
    }, 0);
  }, []);

  // Rename.
  const [editingId, setEditingId] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const rename = useRenameConversation();
  const startRename = useCallback((id: string) => {
    setNotice(null);
    setEditingId(id);
  }, []);
  const endRename = useCallback(
    (conversation: Conversation, title: string | null, returnFocus: boolean) => {
      setEditingId(null);
      if (title !== null) {
        rename.mutate(
          { id: conversation.id, title, previousTitle: conversation.title },
          { onError: (error) => setNotice(format(t.renameError, { detail: error.message })) },
        );
      }
      if (returnFocus) focusItem(conversation.id);
    },
    [rename.mutate, t, focusItem],
  );

  // Delete.
  const activeRef = useRef(activeId);
  useEffect(() => {
    activeRef.current = activeId;
  }, [activeId]);
  const [deleteTarget, setDeleteTarget] = useState<DeleteTarget | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const deletion = useDeleteConversation(
    useCallback(
      (id: string) => {
        if (id === activeRef.current) onNewChat();
      },
      [onNewChat],
    ),
  );
  const conversationsRef = useRef(conversations);
  useEffect(() => {
    conversationsRef.current = conversations;
  }, [conversations]);
  const askDelete = useCallback((conversation: Conversation) => {
    const all = conversationsRef.current;
    const index = all.findIndex((c) => c.id === conversation.id);
    const neighbour = all[index + 1] ?? all[index - 1] ?? null;
    setNotice(null);
    setDeleteError(null);
    setDeleteTarget({ conversation, focusId: neighbour?.id ?? null });
  }, []);
  const cancelDelete = () => {
    const target = deleteTarget;
    setDeleteTarget(null);
    if (target) focusItem(target.conversation.id, "more");
  };
  const confirmDelete = () => {
    if (!deleteTarget || deletion.isPending) return;
    const { conversation, focusId } = deleteTarget;
    deletion.mutate(conversation.id, {
      onSuccess: () => {
        setDeleteTarget(null);
        focusItem(focusId);
      },
      onError: (error) => setDeleteError(format(t.deleteError, { detail: error.message })),
    });
  };

  // Arrow keys move between chats; F2 renames, Delete deletes (after the confirmation).
  const onListKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const target = event.target as HTMLElement;
    if (!target.matches("[data-item-link]") || event.altKey || event.ctrlKey || event.metaKey) return;
    const links = [...(scroller.current?.querySelectorAll<HTMLElement>("[data-item-link]") ?? [])];
    const index = links.indexOf(target);
    const id = target.closest<HTMLElement>("[data-conversation-id]")?.dataset.conversationId;
    const next =
      event.key === "ArrowDown"
        ? links[index + 1]
        : event.key === "ArrowUp"
          ? links[index - 1]
          : event.key === "Home"
            ? links[0]
            : event.key === "End"
              ? links[links.length - 1]
              : undefined;
    if (next) {
      event.preventDefault();
      next.focus();
      next.scrollIntoView({ block: "nearest" });
    } else if (event.key === "F2" && id) {
      event.preventDefault();
      startRename(id);
    } else if (event.key === "Delete" && id) {
      const conversation = conversations.find((c) => c.id === id);
      if (conversation) {
        event.preventDefault();
        void loadDeleteDialog();
        askDelete(conversation);
      }
    }
  };

  const preloadDialog = useCallback(() => void loadDeleteDialog(), []);
  const searching = query !== "";
  const busy = search.trim() !== query || (isPlaceholderData && list.isFetching);

  let body;
  if (list.isPending) {
    body = (
      <div className={styles.skeleton} aria-busy="true">
        <span className={styles.visuallyHidden} role="status">
          {t.loading}
        </span>
        {SKELETON_WIDTHS.map((width, index) => (
          <div key={index} className={styles.bar} style={{ width }} />
        ))}
      </div>
    );
  } else if (list.isError && conversations.length === 0) {
    body = (
      <div className={styles.message} role="alert">
        <ErrorCircle20Regular className={styles.errorIcon} aria-hidden />
        <Text align="center" className={styles.messageTitle}>{t.loadError}</Text>
        <Text align="center" className={styles.messageBody}>{list.error.message}</Text>
        <Button size="small" icon={<ArrowClockwise16Regular />} onClick={() => void list.refetch()}>
          {t.retry}
        </Button>
      </div>
    );
  } else if (conversations.length === 0) {
    body = searching ? (
      <div className={styles.message} role="status">
        <SearchInfo24Regular className={styles.messageIcon} aria-hidden />
        <Text align="center" className={styles.messageTitle}>{format(t.noMatchTitle, { q: query })}</Text>
        <Text align="center" className={styles.messageBody}>{t.noMatchBody}</Text>
      </div>
    ) : (
      <div className={styles.message} role="status">
        <ChatMultiple32Regular className={styles.messageIcon} aria-hidden />
        <Text align="center" className={styles.messageTitle}>{t.emptyTitle}</Text>
        <Text align="center" className={styles.messageBody}>{t.emptyBody}</Text>
      </div>
    );
  } else {
    body = (
      <>
        {groups.map((group) => {
          const id = `${headingId}-${group.key}`;
          return (
            // Not a <section>: a named one is a landmark, and ten of them would crowd the page's landmarks.
            <div key={group.key} className={styles.group} data-group={group.key}>
              <h2 id={id} className={styles.heading}>
                {groupLabel(group, t, locale)}
              </h2>
              <ul className={styles.list} aria-labelledby={id}>
                {group.items.map((conversation) => (
                  <ConversationItem
                    key={conversation.id}
                    conversation={conversation}
                    active={conversation.id === activeId}
                    editing={conversation.id === editingId}
                    t={t}
                    onSelect={onSelect}
                    onStartRename={startRename}
                    onEndRename={endRename}
                    onDelete={askDelete}
                    onMenuOpen={preloadDialog}
                  />
                ))}
              </ul>
            </div>
          );
        })}
        {hasNextPage && !isPlaceholderData && <div ref={sentinel} className={styles.sentinel} aria-hidden />}
        {isFetchingNextPage && (
          <div className={styles.row} role="status">
            <BusyMark />
            <span>{t.loadingMore}</span>
          </div>
        )}
        {isFetchNextPageError && !isFetchingNextPage && (
          <div className={styles.row} role="alert">
            <ErrorCircle20Regular className={styles.errorIcon} aria-hidden />
            <span className={styles.grow}>{t.loadMoreError}</span>
            <Button size="small" appearance="subtle" icon={<ArrowClockwise16Regular />} onClick={() => void fetchNextPage()}>
              {t.retry}
            </Button>
          </div>
        )}
      </>
    );
  }

  return (
    <div className={styles.root}>
      <div className={styles.top}>
        <Button
          className={styles.newChat}
          appearance="subtle"
          icon={<Compose20Regular />}
          onClick={onNewChat}
          aria-keyshortcuts="Control+Shift+O Meta+Shift+O"
        >
          <span className={styles.newChatLabel}>{t.newChat}</span>
          <span className={styles.shortcut} data-shortcut="" aria-hidden>
            {IS_MAC ? "⇧⌘O" : "Ctrl+Shift+O"}
          </span>
        </Button>
        <SearchField
          inputRef={searchInput}
          value={search}
          onChange={setSearch}
          busy={busy}
          label={t.searchChats}
          placeholder={t.searchPlaceholder}
          clearLabel={t.clearSearch}
        />
      </div>
      {notice && (
        <div className={styles.notice} role="alert">
          <ErrorCircle20Regular className={styles.errorIcon} aria-hidden />
          <span className={styles.grow}>{notice}</span>
          <Button
            size="small"
            appearance="transparent"
            icon={<Dismiss16Regular />}
            aria-label={t.dismiss}
            onClick={() => setNotice(null)}
          />
        </div>
      )}
      <div
        ref={scroller}
        className={mergeClasses(styles.scroller, isPlaceholderData && styles.stale)}
        tabIndex={-1}
        aria-busy={busy || list.isPending}
        onKeyDown={onListKeyDown}
      >
        {body}
      </div>
      {deleteTarget && (
        <Suspense fallback={null}>
          <DeleteDialog
            open
            title={deleteTarget.conversation.title}
            busy={deletion.isPending}
            error={deleteError}
            t={t}
            onConfirm={confirmDelete}
            onCancel={cancelDelete}
          />
        </Suspense>
      )}
    </div>
  );
}

/** The current date, renewed just after each local midnight so "Today" moves on with the clock. */
function useToday(): number {
  const [day, setDay] = useState(() => localMidnight(new Date()).getTime());
  useEffect(() => {
    const tomorrow = localMidnight(new Date(), -1).getTime();
    const timer = setTimeout(() => setDay(localMidnight(new Date()).getTime()), tomorrow - Date.now() + 1000);
    return () => clearTimeout(timer);
  }, [day]);
  return day;
}
