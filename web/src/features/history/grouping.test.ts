import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { groupByDate, groupLabel, localMidnight, type DateGroup } from "./grouping";

const LABELS = { today: "Today", yesterday: "Yesterday", previous7: "Previous 7 days", previous30: "Previous 30 days" };

// Local times, so the test means the same in every time zone the machine may have.
const at = (year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0) =>
  new Date(year, month - 1, day, hour, minute, second, ms);
const item = (id: string, date: Date) => ({ id, updated_at: date.toISOString() });
const summary = (groups: DateGroup<{ id: string }>[]) => groups.map((g) => [g.key, g.items.map((i) => i.id)]);

describe("groupByDate", () => {
  const now = at(2026, 11, 20, 15, 30); // Friday 20 November 2026, 15:30 local

  it("puts each item in its group, newest group first, keeping the items' order", () => {
    const items = [
      item("future", at(2026, 11, 20, 16, 0)),
      item("today-late", at(2026, 11, 20, 15, 0)),
      item("today-early", at(2026, 11, 20, 0, 0)),
      item("yesterday", at(2026, 11, 19, 12, 0)),
      item("three-days", at(2026, 11, 17, 9, 0)),
      item("twenty-days", at(2026, 10, 31, 9, 0)),
      item("october", at(2026, 10, 5, 9, 0)),
      item("september", at(2026, 9, 30, 23, 59)),
      item("last-year", at(2025, 12, 31, 8, 0)),
    ];
    expect(summary(groupByDate(items, now))).toEqual([
      ["today", ["future", "today-late", "today-early"]],
      ["yesterday", ["yesterday"]],
      ["previous7", ["three-days"]],
      ["previous30", ["twenty-days"]],
      ["month:2026-10", ["october"]],
      ["month:2026-09", ["september"]],
      ["month:2025-12", ["last-year"]],
    ]);
  });

  it("draws every boundary at local midnight", () => {
    const justBefore = (date: Date) => new Date(date.getTime() - 1);
    const cases: [Date, string][] = [
      [at(2026, 11, 20), "today"],
      [justBefore(at(2026, 11, 20)), "yesterday"],
      [at(2026, 11, 19), "yesterday"],
      [justBefore(at(2026, 11, 19)), "previous7"],
      [at(2026, 11, 13), "previous7"],
      [justBefore(at(2026, 11, 13)), "previous30"],
      [at(2026, 10, 21), "previous30"],
      [justBefore(at(2026, 10, 21)), "month:2026-10"],
    ];
    for (const [date, key] of cases) {
      const [group] = groupByDate([item("x", date)], now);
      expect(group?.key, date.toString()).toBe(key);
    }
  });

  it("counts days from the start of today, not 24-hour periods", () => {
    const justAfterMidnight = at(2026, 11, 20, 0, 5);
    const lateLastNight = at(2026, 11, 19, 23, 55);
    expect(summary(groupByDate([item("a", lateLastNight)], justAfterMidnight))).toEqual([["yesterday", ["a"]]]);
    const lastMinute = at(2026, 11, 20, 23, 59);
    const earlyYesterday = at(2026, 11, 19, 0, 1);
    expect(summary(groupByDate([item("b", earlyYesterday)], lastMinute))).toEqual([["yesterday", ["b"]]]);
  });

  it("crosses month and year ends", () => {
    const newYear = at(2027, 1, 1, 9);
    const items = [item("eve", at(2026, 12, 31, 22)), item("boxing", at(2026, 12, 26, 10)), item("nov", at(2026, 11, 30))];
    expect(summary(groupByDate(items, newYear))).toEqual([
      ["yesterday", ["eve"]],
      ["previous7", ["boxing"]],
      ["month:2026-11", ["nov"]],
    ]);
  });

  it("groups out-of-order items by recency all the same", () => {
    const items = [item("old", at(2026, 1, 2)), item("new", at(2026, 11, 20, 8))];
    expect(summary(groupByDate(items, now))).toEqual([
      ["today", ["new"]],
      ["month:2026-01", ["old"]],
    ]);
  });

  it("keeps an item with an unreadable date", () => {
    expect(summary(groupByDate([{ id: "odd", updated_at: "not a date" }], now))).toEqual([["today", ["odd"]]]);
  });

  it("returns no groups for no items", () => {
    expect(groupByDate([], now)).toEqual([]);
  });
});

// Node reads TZ again whenever it changes (no @types/node here, hence the cast).
const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env;

describe("across a daylight-saving change", () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = env.TZ;
    env.TZ = "America/New_York"; // clocks went back at 02:00 on Sunday 1 November 2026
  });
  afterEach(() => {
    if (saved === undefined) delete env.TZ;
    else env.TZ = saved;
  });

  it("still draws the boundaries at local midnight", () => {
    const now = new Date("2026-11-02T12:00:00-05:00"); // Monday noon, EST
    expect(localMidnight(now, 0).toISOString()).toBe("2026-11-02T05:00:00.000Z");
    expect(localMidnight(now, 1).toISOString()).toBe("2026-11-01T04:00:00.000Z"); // Sunday midnight, EDT: a 25-hour day
    const groups = groupByDate(
      [
        { id: "sunday-first-minute", updated_at: "2026-11-01T04:00:00Z" },
        { id: "saturday-last-second", updated_at: "2026-11-01T03:59:59Z" },
      ],
      now,
    );
    expect(summary(groups)).toEqual([
      ["yesterday", ["sunday-first-minute"]],
      ["previous7", ["saturday-last-second"]],
    ]);
  });
});

describe("groupLabel", () => {
  const month = (year: number, monthIndex: number): DateGroup<unknown> => ({
    key: "m",
    kind: "month",
    year,
    month: monthIndex,
    items: [],
  });

  it("names relative groups with the given strings", () => {
    expect(groupLabel({ key: "today", kind: "today", items: [] }, LABELS, "en")).toBe("Today");
    expect(groupLabel({ key: "previous30", kind: "previous30", items: [] }, LABELS, "en")).toBe("Previous 30 days");
  });

  it("names months in the UI's locale", () => {
    expect(groupLabel(month(2026, 10), LABELS, "en")).toBe("November 2026");
    expect(groupLabel(month(2026, 10), LABELS, "ja")).toBe("2026年11月");
    expect(groupLabel(month(2025, 0), LABELS, "en-GB")).toBe("January 2025");
  });
});
