import { afterEach, describe, expect, it } from "vitest";
import { clearDraft, getDraft, restoreDraft, setDraft } from "./drafts";

afterEach(() => sessionStorage.clear());

describe("drafts", () => {
  it("keeps unsent text per conversation in sessionStorage", () => {
    setDraft("c1", "hello");
    setDraft("new", "first question");
    expect(sessionStorage.getItem("scalechat.draft.c1")).toBe("hello");
    expect(getDraft("c1")).toBe("hello");
    expect(getDraft("new")).toBe("first question");
    expect(getDraft("c2")).toBe("");
    setDraft("c1", "");
    expect(sessionStorage.getItem("scalechat.draft.c1")).toBeNull();
    clearDraft("new");
    expect(getDraft("new")).toBe("");
  });

  it("puts a refused question back before what was typed since, once", () => {
    restoreDraft("c1", "the question");
    expect(getDraft("c1")).toBe("the question");
    restoreDraft("c1", "the question");
    expect(getDraft("c1")).toBe("the question");
    setDraft("c2", "typed after");
    restoreDraft("c2", "the question");
    expect(getDraft("c2")).toBe("the question\n\ntyped after");
    restoreDraft("c2", "the question");
    expect(getDraft("c2")).toBe("the question\n\ntyped after");
  });
});
