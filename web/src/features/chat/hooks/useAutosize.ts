import { useLayoutEffect, type RefObject } from "react";

/** Grow a text area with its text, up to `max` pixels (then it scrolls). */
export function useAutosize(ref: RefObject<HTMLTextAreaElement | null>, value: string, max: number): void {
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = "auto";
    const height = Math.min(el.scrollHeight, max);
    el.style.height = `${height}px`;
    el.style.overflowY = el.scrollHeight > max ? "auto" : "hidden";
  }, [ref, value, max]);
}
