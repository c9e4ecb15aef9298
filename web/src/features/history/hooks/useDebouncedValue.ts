import { useEffect, useState } from "react";

/**
 * The value once it has stopped changing for `delay` ms. `immediate(value)` true skips the wait
 * (clearing a search should show everything at once).
 */
export function useDebouncedValue<T>(value: T, delay: number, immediate?: (value: T) => boolean): T {
  const [settled, setSettled] = useState(value);
  const now = immediate?.(value) ?? false;
  useEffect(() => {
    if (now) {
      setSettled(value);
      return;
    }
    const timer = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay, now]);
  return now ? value : settled;
}
