import { describe, expect, it } from "vitest";
import {
  branchPosition,
  buildTree,
  newestLeaf,
  parentForEditedQuestion,
  parentForNewQuestion,
  siblingsOf,
  switchTarget,
  visiblePath,
  type TreeNode,
} from "./tree";

let clock = 0;
function msg(id: string, parent: string | null, role: "user" | "assistant"): TreeNode {
  clock += 1000;
  return { id, parent_id: parent, role, created_at: new Date(Date.UTC(2025, 0, 1) + clock).toISOString() };
}

// q1 ─ a1 ─ q2 ─ a2
//    └ a1b (regenerated)        q1b (edited first question) ─ a3
//           └ q3 ─ a4
function sample(): TreeNode[] {
  clock = 0;
  return [
    msg("q1", null, "user"),
    msg("a1", "q1", "assistant"),
    msg("q2", "a1", "user"),
    msg("a2", "q2", "assistant"),
    msg("a1b", "q1", "assistant"),
    msg("q3", "a1b", "user"),
    msg("a4", "q3", "assistant"),
    msg("q1b", null, "user"),
    msg("a3", "q1b", "assistant"),
  ];
}

const ids = (messages: readonly TreeNode[]) => messages.map((m) => m.id);

describe("visiblePath", () => {
  it("walks parents from the current message to the first question", () => {
    const tree = buildTree(sample());
    expect(ids(visiblePath(tree, "a2"))).toEqual(["q1", "a1", "q2", "a2"]);
    expect(ids(visiblePath(tree, "a4"))).toEqual(["q1", "a1b", "q3", "a4"]);
    expect(ids(visiblePath(tree, "a3"))).toEqual(["q1b", "a3"]);
  });

  it("can end in the middle of a branch", () => {
    expect(ids(visiblePath(buildTree(sample()), "a1"))).toEqual(["q1", "a1"]);
  });

  it("without a known current message, shows the newest leaf", () => {
    const tree = buildTree(sample());
    expect(ids(visiblePath(tree, null))).toEqual(["q1b", "a3"]);
    expect(ids(visiblePath(tree, "gone"))).toEqual(["q1b", "a3"]);
  });

  it("is empty for an empty conversation", () => {
    expect(visiblePath(buildTree([]), null)).toEqual([]);
  });

  it("orders by creation time, whatever the order given", () => {
    const messages = sample();
    const tree = buildTree([...messages].reverse());
    expect(ids(siblingsOf(tree, tree.byId.get("a1b")!))).toEqual(["a1", "a1b"]);
    expect(ids(visiblePath(tree, "a2"))).toEqual(["q1", "a1", "q2", "a2"]);
  });

  it("keeps the given order for equal times", () => {
    const at = "2025-01-01T00:00:00Z";
    const tree = buildTree([
      { id: "q", parent_id: null, role: "user", created_at: at },
      { id: "x", parent_id: "q", role: "assistant", created_at: at },
      { id: "y", parent_id: "q", role: "assistant", created_at: at },
    ]);
    expect(ids(siblingsOf(tree, tree.byId.get("y")!))).toEqual(["x", "y"]);
  });

  it("survives a cycle in bad data", () => {
    const at = "2025-01-01T00:00:00Z";
    const tree = buildTree([
      { id: "a", parent_id: "b", role: "user", created_at: at },
      { id: "b", parent_id: "a", role: "assistant", created_at: at },
    ]);
    expect(visiblePath(tree, "b").length).toBeLessThanOrEqual(2);
  });
});

describe("siblings and versions", () => {
  it("lists versions with the same parent and role, in creation order", () => {
    const tree = buildTree(sample());
    expect(ids(siblingsOf(tree, tree.byId.get("a1")!))).toEqual(["a1", "a1b"]);
    expect(ids(siblingsOf(tree, tree.byId.get("q1b")!))).toEqual(["q1", "q1b"]);
    expect(ids(siblingsOf(tree, tree.byId.get("q2")!))).toEqual(["q2"]);
  });

  it("gives the 1/2 position", () => {
    const tree = buildTree(sample());
    expect(branchPosition(tree, tree.byId.get("a1")!)).toEqual({ index: 0, count: 2 });
    expect(branchPosition(tree, tree.byId.get("a1b")!)).toEqual({ index: 1, count: 2 });
    expect(branchPosition(tree, tree.byId.get("a2")!)).toEqual({ index: 0, count: 1 });
  });

  it("does not count a question as a version of an answer", () => {
    clock = 0;
    const tree = buildTree([msg("q", null, "user"), msg("a", "q", "assistant")]);
    expect(ids(siblingsOf(tree, tree.byId.get("q")!))).toEqual(["q"]);
  });
});

describe("switching versions", () => {
  it("shows the newest leaf of the sibling", () => {
    const tree = buildTree(sample());
    expect(switchTarget(tree, "a1", +1)).toBe("a4");
    expect(switchTarget(tree, "a1b", -1)).toBe("a2");
    expect(switchTarget(tree, "q1", +1)).toBe("a3");
    expect(switchTarget(tree, "q1b", -1)).toBe("a4");
  });

  it("has nothing past either end", () => {
    const tree = buildTree(sample());
    expect(switchTarget(tree, "a1", -1)).toBeNull();
    expect(switchTarget(tree, "a1b", +1)).toBeNull();
    expect(switchTarget(tree, "missing", +1)).toBeNull();
  });

  it("a sibling without children is its own leaf", () => {
    clock = 0;
    const tree = buildTree([msg("q", null, "user"), msg("a", "q", "assistant"), msg("b", "q", "assistant")]);
    expect(switchTarget(tree, "b", -1)).toBe("a");
    expect(newestLeaf(tree, "a")).toBe("a");
  });

  it("picks the newest leaf anywhere below, not the newest child at each step", () => {
    clock = 0;
    const tree = buildTree([
      msg("q", null, "user"),
      msg("a", "q", "assistant"),
      msg("q2", "a", "user"),
      msg("a2", "q2", "assistant"),
      msg("q2b", "a", "user"),
      msg("a2b", "q2b", "assistant"),
      msg("q3", "a2", "user"), // continuing the older branch makes it the newest leaf
      msg("a3", "q3", "assistant"),
    ]);
    expect(newestLeaf(tree, "q")).toBe("a3");
  });
});

describe("where questions go", () => {
  it("an edited first question is a new first question", () => {
    const tree = buildTree(sample());
    expect(parentForEditedQuestion(tree.byId.get("q1")!)).toBeNull();
  });

  it("an edited later question follows the answer before it", () => {
    const tree = buildTree(sample());
    expect(parentForEditedQuestion(tree.byId.get("q2")!)).toBe("a1");
  });

  it("a new question follows the last answer shown", () => {
    const tree = buildTree(sample());
    expect(parentForNewQuestion(visiblePath(tree, "a4"))).toBe("a4");
    expect(parentForNewQuestion([])).toBeNull();
    expect(parentForNewQuestion([tree.byId.get("q1")!])).toBeUndefined();
  });
});
