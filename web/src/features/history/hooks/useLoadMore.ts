import { useCallback, useEffect, useRef, useState, type RefObject } from "react";

/**
 * Call `onLoadMore` when the returned ref's element (a sentinel after the list) comes within
 * `rootMargin` of the visible part of `root`. The observer is made afresh each time `enabled`
 * turns true (after each page), so its first report measures the list as it is then: a page that
 * leaves the sentinel in view asks for the next one, and one that pushes it away does not.
 */
export function useLoadMore(
  root: RefObject<Element | null>,
  enabled: boolean,
  onLoadMore: () => void,
  rootMargin = "0px",
): (node: Element | null) => void {
  const [node, setNode] = useState<Element | null>(null);
  const latest = useRef(onLoadMore);
  useEffect(() => {
    latest.current = onLoadMore;
  }, [onLoadMore]);
  useEffect(() => {
    if (!node || !enabled) return;
    let asked = false;
    const observer = new IntersectionObserver(
      (entries) => {
        if (!asked && entries.some((entry) => entry.isIntersecting)) {
          asked = true; // once per observer: the next page re-arms it
          latest.current();
        }
      },
      { root: root.current, rootMargin },
    );
    observer.observe(node);
    return () => observer.disconnect();
  }, [node, enabled, root, rootMargin]);
  return useCallback((next: Element | null) => setNode(next), []);
}
