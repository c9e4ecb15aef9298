import { useCallback, useEffect, useState, type RefObject } from "react";

/**
 * Whether an element is within `rootMargin` of the visible part of `root` (IntersectionObserver).
 * Returns a callback ref for the element, so it may mount and unmount freely.
 */
export function useInView<T extends Element>(
  root: RefObject<Element | null>,
  rootMargin = "0px",
): [ref: (node: T | null) => void, inView: boolean] {
  const [node, setNode] = useState<T | null>(null);
  const [inView, setInView] = useState(false);
  useEffect(() => {
    if (!node) {
      setInView(false);
      return;
    }
    if (typeof IntersectionObserver === "undefined") {
      setInView(true);
      return;
    }
    const observer = new IntersectionObserver(
      (entries) => {
        const last = entries[entries.length - 1];
        if (last) setInView(last.isIntersecting);
      },
      { root: root.current, rootMargin },
    );
    observer.observe(node);
    return () => observer.disconnect();
  }, [node, root, rootMargin]);
  const ref = useCallback((next: T | null) => setNode(next), []);
  return [ref, inView];
}
