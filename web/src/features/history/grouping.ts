// Date groups of the sidebar, as in ChatGPT: Today, Yesterday, Previous 7 days, Previous 30 days,
// then one group per calendar month. Pure: "now" is passed in, and every boundary is a local midnight
// (built with the Date constructor, so a DST change keeps days whole).

export type DateGroupKind = "today" | "yesterday" | "previous7" | "previous30" | "month";

export interface DateGroup<T> {
  /** Stable across renders and locales: "today", ..., or "month:2026-11". */
  key: string;
  kind: DateGroupKind;
  /** For "month": the year and the month (0-11) of the group's items. */
  year?: number;
  month?: number;
  items: T[];
}

interface Dated {
  updated_at: string;
}

/** Midnight (local time) `days` days before the day of `now`. */
export function localMidnight(now: Date, daysBefore = 0): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() - daysBefore);
}

/**
 * Group items (already newest first) by how long ago they were updated. Items keep their order;
 * groups come out newest first. A date in the future (a clock ahead of ours) counts as today.
 */
export function groupByDate<T extends Dated>(items: readonly T[], now: Date): DateGroup<T>[] {
  const today = localMidnight(now, 0).getTime();
  const yesterday = localMidnight(now, 1).getTime();
  const week = localMidnight(now, 7).getTime();
  const month = localMidnight(now, 30).getTime();

  const groups = new Map<string, DateGroup<T>>();
  const add = (key: string, make: () => Omit<DateGroup<T>, "items">, item: T) => {
    let group = groups.get(key);
    if (!group) {
      group = { ...make(), items: [] };
      groups.set(key, group);
    }
    group.items.push(item);
  };

  for (const item of items) {
    const date = new Date(item.updated_at);
    const time = date.getTime();
    // An unreadable date: show the item rather than lose it.
    if (Number.isNaN(time) || time >= today) add("today", () => ({ key: "today", kind: "today" }), item);
    else if (time >= yesterday) add("yesterday", () => ({ key: "yesterday", kind: "yesterday" }), item);
    else if (time >= week) add("previous7", () => ({ key: "previous7", kind: "previous7" }), item);
    else if (time >= month) add("previous30", () => ({ key: "previous30", kind: "previous30" }), item);
    else {
      const year = date.getFullYear();
      const monthIndex = date.getMonth();
      const key = `month:${year}-${String(monthIndex + 1).padStart(2, "0")}`;
      add(key, () => ({ key, kind: "month", year, month: monthIndex }), item);
    }
  }
  return [...groups.values()].sort((a, b) => rank(b) - rank(a));
}

const RELATIVE_RANK: Record<Exclude<DateGroupKind, "month">, number> = {
  today: 4e6,
  yesterday: 3e6,
  previous7: 2e6,
  previous30: 1e6,
};

// Higher is newer; months rank below every relative group, newest month first.
function rank(group: DateGroup<unknown>): number {
  if (group.kind === "month") return (group.year ?? 0) * 12 + (group.month ?? 0) - 1e6;
  return RELATIVE_RANK[group.kind];
}

export interface GroupLabels {
  today: string;
  yesterday: string;
  previous7: string;
  previous30: string;
}

/** The heading of a group: a relative name, or the month and year in the UI's locale ("November 2026"). */
export function groupLabel(group: DateGroup<unknown>, labels: GroupLabels, locale: string): string {
  if (group.kind !== "month") return labels[group.kind];
  return monthFormat(locale).format(new Date(group.year ?? 1970, group.month ?? 0, 1));
}

const monthFormats = new Map<string, Intl.DateTimeFormat>();
function monthFormat(locale: string): Intl.DateTimeFormat {
  let format = monthFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { year: "numeric", month: "long" });
    monthFormats.set(locale, format);
  }
  return format;
}
