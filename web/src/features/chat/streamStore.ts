// The text of answers being written, outside TanStack Query: deltas arrive many times a
// second, and only the one message that streams should re-render, at most once per frame.
// Components read it with `useSyncExternalStore` (see useStreamingAnswer).

export type Connection = "live" | "reconnecting" | "lost";

/** What a streaming message shows; a new object only when something changed (at a frame). */
export interface StreamSnapshot {
  readonly text: string;
  readonly connection: Connection;
}

export interface FrameScheduler {
  request(callback: () => void): unknown;
  cancel(handle: unknown): void;
}

export const animationFrames: FrameScheduler = {
  request: (callback) => requestAnimationFrame(callback),
  cancel: (handle) => cancelAnimationFrame(handle as number),
};

interface Entry {
  text: string;
  connection: Connection;
  /** The next delta replaces the text: a re-attached stream replays the answer from its start. */
  replaceNext: boolean;
}

export class StreamStore {
  private readonly entries = new Map<string, Entry>();
  private readonly snapshots = new Map<string, StreamSnapshot>();
  private readonly listeners = new Map<string, Set<() => void>>();
  private readonly dirty = new Set<string>();
  private frame: unknown = null;

  constructor(private readonly scheduler: FrameScheduler = animationFrames) {}

  /** Begin showing a stream for `id`, now (not at the next frame). */
  start(id: string, text = "", { replaceNext = false }: { replaceNext?: boolean } = {}): void {
    this.entries.set(id, { text, connection: "live", replaceNext });
    this.publish(id);
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** The latest text, including deltas not painted yet. */
  text(id: string): string | undefined {
    return this.entries.get(id)?.text;
  }

  append(id: string, delta: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.text = entry.replaceNext ? delta : entry.text + delta;
    entry.replaceNext = false;
    entry.connection = "live";
    this.markDirty(id);
  }

  /** The stream is being re-attached: keep showing the text, replace it with the replay. */
  replaceOnNextDelta(id: string): void {
    const entry = this.entries.get(id);
    if (entry) entry.replaceNext = true;
  }

  setConnection(id: string, connection: Connection): void {
    const entry = this.entries.get(id);
    if (!entry || entry.connection === connection) return;
    entry.connection = connection;
    this.markDirty(id);
  }

  /** The answer got its real id from the server (it had a temporary one). */
  rename(from: string, to: string): void {
    const entry = this.entries.get(from);
    if (!entry) return;
    this.entries.delete(from);
    this.snapshots.delete(from);
    this.dirty.delete(from);
    this.entries.set(to, entry);
    this.publish(to);
    this.notify(from);
  }

  /** The stream ended; readers go back to the cached message. */
  end(id: string): void {
    if (!this.entries.delete(id)) return;
    this.snapshots.delete(id);
    this.dirty.delete(id);
    this.notify(id);
  }

  get(id: string): StreamSnapshot | undefined {
    return this.snapshots.get(id);
  }

  subscribe(id: string, listener: () => void): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(id) === set) this.listeners.delete(id);
    };
  }

  /** Publish every pending change now (the frame callback; tests call it directly). */
  flush(): void {
    if (this.frame !== null) {
      this.scheduler.cancel(this.frame);
      this.frame = null;
    }
    const ids = [...this.dirty];
    this.dirty.clear();
    for (const id of ids) this.publish(id);
  }

  private markDirty(id: string): void {
    this.dirty.add(id);
    if (this.frame === null) {
      this.frame = this.scheduler.request(() => {
        this.frame = null;
        this.flush();
      });
    }
  }

  private publish(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.snapshots.set(id, { text: entry.text, connection: entry.connection });
    this.notify(id);
  }

  private notify(id: string): void {
    const set = this.listeners.get(id);
    if (set) for (const listener of [...set]) listener();
  }
}
