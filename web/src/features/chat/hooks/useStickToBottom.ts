// Keep the newest message in view while an answer grows, unless the user scrolled up to
// read; then offer a "jump to latest" button instead of pulling them down.
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type RefObject } from "react";

const NEAR_BOTTOM_PX = 48;

export function useStickToBottom(
  scroller: RefObject<HTMLElement | null>,
  content: RefObject<HTMLElement | null>,
  resetKey: string,
) {
  const stick = useRef(true);
  const lastTop = useRef(0);
  const [atBottom, setAtBottom] = useState(true);

  const toBottom = useCallback(
    (smooth = false) => {
      const el = scroller.current;
      if (!el) return;
      stick.current = true;
      el.scrollTo({ top: el.scrollHeight, behavior: smooth ? "smooth" : "auto" });
    },
    [scroller],
  );

  // A different conversation opens at its end.
  useLayoutEffect(() => {
    stick.current = true;
    setAtBottom(true);
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [resetKey, scroller]);

  useEffect(() => {
    const el = scroller.current;
    const inner = content.current;
    if (!el || !inner) return;
    const onScroll = () => {
      const distance = el.scrollHeight - el.scrollTop - el.clientHeight;
      const bottom = distance <= NEAR_BOTTOM_PX;
      if (bottom) stick.current = true;
      else if (el.scrollTop < lastTop.current - 1) stick.current = false; // moved up: the user is reading
      lastTop.current = el.scrollTop;
      setAtBottom(bottom);
    };
    const onWheel = (event: WheelEvent) => {
      if (event.deltaY < 0) stick.current = false;
    };
    const observer = new ResizeObserver(() => {
      if (stick.current) el.scrollTop = el.scrollHeight;
      else setAtBottom(el.scrollHeight - el.scrollTop - el.clientHeight <= NEAR_BOTTOM_PX);
    });
    observer.observe(inner);
    observer.observe(el);
    el.addEventListener("scroll", onScroll, { passive: true });
    el.addEventListener("wheel", onWheel, { passive: true });
    return () => {
      observer.disconnect();
      el.removeEventListener("scroll", onScroll);
      el.removeEventListener("wheel", onWheel);
    };
  }, [scroller, content]);

  return { atBottom, toBottom };
}
