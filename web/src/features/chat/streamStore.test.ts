import { describe, expect, it } from "vitest";
import { StreamStore, type FrameScheduler } from "./streamStore";

function manualFrames() {
  const callbacks = new Map<number, () => void>();
  let next = 1;
  const scheduler: FrameScheduler = {
    request(callback) {
      callbacks.set(next, callback);
      return next++;
    },
    cancel(handle) {
      callbacks.delete(handle as number);
    },
  };
  const runFrame = () => {
    const pending = [...callbacks.values()];
    callbacks.clear();
    for (const callback of pending) callback();
  };
  return { scheduler, runFrame, pending: () => callbacks.size };
}

describe("StreamStore", () => {
  it("publishes a started stream at once", () => {
    const store = new StreamStore(manualFrames().scheduler);
    let calls = 0;
    store.subscribe("a", () => calls++);
    store.start("a", "so far");
    expect(store.get("a")).toEqual({ text: "so far", connection: "live" });
    expect(calls).toBe(1);
  });

  it("batches deltas into one update per frame", () => {
    const frames = manualFrames();
    const store = new StreamStore(frames.scheduler);
    store.start("a");
    let calls = 0;
    store.subscribe("a", () => calls++);
    const before = store.get("a");
    for (const word of ["Hello", ", ", "world"]) store.append("a", word);
    expect(calls).toBe(0);
    expect(store.get("a")).toBe(before); // same snapshot until the frame
    expect(store.text("a")).toBe("Hello, world"); // but the latest text is known
    expect(frames.pending()).toBe(1);
    frames.runFrame();
    expect(calls).toBe(1);
    expect(store.get("a")?.text).toBe("Hello, world");
    frames.runFrame();
    expect(calls).toBe(1);
  });

  it("notifies only the listeners of the message that changed", () => {
    const frames = manualFrames();
    const store = new StreamStore(frames.scheduler);
    store.start("a");
    store.start("b");
    let a = 0;
    let b = 0;
    store.subscribe("a", () => a++);
    store.subscribe("b", () => b++);
    store.append("a", "x");
    frames.runFrame();
    expect([a, b]).toEqual([1, 0]);
  });

  it("replaces the text with the first delta of a re-attached stream", () => {
    const frames = manualFrames();
    const store = new StreamStore(frames.scheduler);
    store.start("a", "Hello, wor", { replaceNext: true });
    store.append("a", "Hello, world"); // the replay of everything so far
    store.append("a", "!");
    frames.runFrame();
    expect(store.get("a")?.text).toBe("Hello, world!");
    store.replaceOnNextDelta("a");
    store.append("a", "Hello, world! Again");
    store.flush();
    expect(store.get("a")?.text).toBe("Hello, world! Again");
  });

  it("moves a stream to the answer's real id", () => {
    const store = new StreamStore(manualFrames().scheduler);
    store.start("local-1", "");
    store.append("local-1", "Hi");
    let oldCalls = 0;
    store.subscribe("local-1", () => oldCalls++);
    store.rename("local-1", "real");
    expect(store.get("local-1")).toBeUndefined();
    expect(store.get("real")?.text).toBe("Hi");
    expect(oldCalls).toBe(1);
  });

  it("ends a stream, dropping unpainted changes", () => {
    const frames = manualFrames();
    const store = new StreamStore(frames.scheduler);
    store.start("a");
    store.append("a", "x");
    let calls = 0;
    store.subscribe("a", () => calls++);
    store.end("a");
    expect(store.get("a")).toBeUndefined();
    expect(store.has("a")).toBe(false);
    expect(calls).toBe(1);
    frames.runFrame();
    expect(calls).toBe(1);
  });

  it("reports the connection state", () => {
    const store = new StreamStore(manualFrames().scheduler);
    store.start("a", "t");
    store.setConnection("a", "reconnecting");
    store.flush();
    expect(store.get("a")).toEqual({ text: "t", connection: "reconnecting" });
    store.append("a", "u"); // text flowing again means the connection is back
    store.flush();
    expect(store.get("a")?.connection).toBe("live");
  });

  it("ignores deltas for unknown streams", () => {
    const store = new StreamStore(manualFrames().scheduler);
    store.append("nope", "x");
    expect(store.get("nope")).toBeUndefined();
  });
});
