// How often a streaming answer's markdown is re-rendered when re-rendering is expensive.

/** Below this cost per update (lexing and rendering what changed), every frame is shown. */
export const FREE_MS = 4;
/** Above it, an update waits this many times its cost after the previous one. */
export const SPACING = 3;

/** The clock the pacing reads (a seam for tests). */
export const pacingClock = { now: (): number => performance.now() };
