import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useDebouncedValue } from "./useDebouncedValue";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let container: HTMLDivElement;
let root: Root;
const seen: string[] = [];

function Probe({ value }: { value: string }) {
  const settled = useDebouncedValue(value, 250, (v) => v === "");
  seen.push(settled);
  return null;
}

const render = (value: string) => act(() => root.render(<Probe value={value} />));
const last = () => seen[seen.length - 1];

describe("useDebouncedValue", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    seen.length = 0;
    container = document.createElement("div");
    root = createRoot(container);
  });
  afterEach(() => {
    act(() => root.unmount());
    vi.useRealTimers();
  });

  it("settles once the value stops changing", () => {
    render("");
    render("k");
    render("ku");
    act(() => vi.advanceTimersByTime(200));
    render("kub");
    act(() => vi.advanceTimersByTime(249));
    expect(last()).toBe("");
    act(() => vi.advanceTimersByTime(1));
    expect(last()).toBe("kub");
    expect(seen).not.toContain("k");
    expect(seen).not.toContain("ku");
  });

  it("skips the wait when told to (clearing a search)", () => {
    render("kub");
    act(() => vi.advanceTimersByTime(250));
    render("");
    expect(last()).toBe("");
  });
});
