// A conversation's messages form a tree: a question's parent is the answer it follows, an
// answer's parent is its question. Editing a question or regenerating an answer adds a sibling,
// so every branch stays reachable. The conversation shows the one path that ends at its
// `current_message_id`. Pure functions, no React: the chat view and its tests share them.

/** What the tree needs of a message (MessageRead has these and more). */
export interface TreeNode {
  id: string;
  parent_id: string | null;
  role: string;
  created_at: string;
}

export interface MessageTree<M extends TreeNode> {
  readonly byId: ReadonlyMap<string, M>;
  /** Children of each message (key null: the first questions), in creation order. */
  readonly children: ReadonlyMap<string | null, readonly M[]>;
  /** Position of each message in creation order. */
  readonly order: ReadonlyMap<string, number>;
}

const NO_CHILDREN: readonly never[] = [];

function timeOf(message: TreeNode): number {
  const time = Date.parse(message.created_at);
  return Number.isNaN(time) ? 0 : time;
}

/** Index the messages. Creation order is `created_at`, ties kept in the given (server) order. */
export function buildTree<M extends TreeNode>(messages: readonly M[]): MessageTree<M> {
  const sorted = messages
    .map((message, index) => ({ message, index, time: timeOf(message) }))
    .sort((a, b) => a.time - b.time || a.index - b.index)
    .map((entry) => entry.message);
  const byId = new Map<string, M>();
  const children = new Map<string | null, M[]>();
  const order = new Map<string, number>();
  sorted.forEach((message, index) => {
    byId.set(message.id, message);
    order.set(message.id, index);
  });
  for (const message of sorted) {
    // A parent that is not in the list (should not happen) makes the message a first question.
    const parent = message.parent_id !== null && byId.has(message.parent_id) ? message.parent_id : null;
    const list = children.get(parent);
    if (list) list.push(message);
    else children.set(parent, [message]);
  }
  return { byId, children, order };
}

export function childrenOf<M extends TreeNode>(tree: MessageTree<M>, id: string | null): readonly M[] {
  return tree.children.get(id) ?? NO_CHILDREN;
}

/**
 * The newest leaf under `id` (itself when it has no children; `null`: the whole tree).
 * Switching to a branch shows where that branch was last continued.
 */
export function newestLeaf<M extends TreeNode>(tree: MessageTree<M>, id: string | null): string | null {
  let best: string | null = id !== null && childrenOf(tree, id).length === 0 ? id : null;
  let bestOrder = best === null ? -1 : (tree.order.get(best) ?? -1);
  const stack = [...childrenOf(tree, id)];
  while (stack.length > 0) {
    const message = stack.pop()!;
    const kids = childrenOf(tree, message.id);
    if (kids.length === 0) {
      const position = tree.order.get(message.id) ?? -1;
      if (position > bestOrder) {
        best = message.id;
        bestOrder = position;
      }
    } else {
      stack.push(...kids);
    }
  }
  return best;
}

/**
 * The messages shown: from the first question down to `currentId`. Without a (known)
 * current message, the path to the newest leaf.
 */
export function visiblePath<M extends TreeNode>(tree: MessageTree<M>, currentId: string | null | undefined): M[] {
  let id: string | null = currentId && tree.byId.has(currentId) ? currentId : newestLeaf(tree, null);
  const path: M[] = [];
  const seen = new Set<string>();
  while (id !== null && !seen.has(id)) {
    const message = tree.byId.get(id);
    if (!message) break;
    seen.add(id);
    path.push(message);
    id = message.parent_id;
  }
  return path.reverse();
}

/** The versions of a message: same parent, same role, in creation order (the message included). */
export function siblingsOf<M extends TreeNode>(tree: MessageTree<M>, message: M): readonly M[] {
  const parent = message.parent_id !== null && tree.byId.has(message.parent_id) ? message.parent_id : null;
  return childrenOf(tree, parent).filter((sibling) => sibling.role === message.role);
}

export interface BranchPosition {
  /** 0-based position of the message among its versions. */
  index: number;
  count: number;
}

export function branchPosition<M extends TreeNode>(tree: MessageTree<M>, message: M): BranchPosition {
  const siblings = siblingsOf(tree, message);
  return { index: Math.max(0, siblings.findIndex((s) => s.id === message.id)), count: Math.max(1, siblings.length) };
}

/**
 * The current message after moving `step` versions (-1: previous, +1: next) from `messageId`:
 * the newest leaf of that sibling. `null` when there is no such sibling.
 */
export function switchTarget<M extends TreeNode>(tree: MessageTree<M>, messageId: string, step: number): string | null {
  const message = tree.byId.get(messageId);
  if (!message) return null;
  const siblings = siblingsOf(tree, message);
  const target = siblings[siblings.findIndex((s) => s.id === messageId) + step];
  return target ? newestLeaf(tree, target.id) : null;
}

/**
 * Where an edited question goes: beside the original, so the answer before it
 * (`null` for the first question, which the API reads as "a new first question").
 */
export function parentForEditedQuestion(question: TreeNode): string | null {
  return question.parent_id;
}

/**
 * Where a new question goes: after the last answer shown (`null` in an empty conversation;
 * `undefined`, i.e. "the server's current message", if the path oddly ends in a question).
 */
export function parentForNewQuestion(path: readonly TreeNode[]): string | null | undefined {
  const last = path[path.length - 1];
  if (!last) return null;
  return last.role === "assistant" ? last.id : undefined;
}
