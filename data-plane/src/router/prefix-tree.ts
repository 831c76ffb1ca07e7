// A compressed (radix) trie of path prefixes. Walking it along a request path
// visits every stored prefix the path starts with, shortest first, in one
// pass over the path's characters: no substring, no allocation.

export class PrefixNode<T> {
  /** Edge label from the parent; the root's is ''. */
  label: string;
  children: Map<number, PrefixNode<T>> | null = null;
  /** Values stored under exactly this prefix. */
  values: T[] | null = null;
  /** Set by seal() when the node has exactly one child: skips the Map lookup on the walk. */
  only: PrefixNode<T> | null = null;
  onlyCode = -1;
  /** Free for the owner: the router keeps the best rank anywhere in this subtree, to prune walks. */
  bound = Infinity;

  constructor(label: string) {
    this.label = label;
  }
}

export class PrefixTree<T> {
  readonly root = new PrefixNode<T>('');

  insert(key: string, value: T): void {
    let node = this.root;
    let pos = 0;
    for (;;) {
      if (pos === key.length) {
        (node.values ??= []).push(value);
        return;
      }
      const first = key.charCodeAt(pos);
      node.children ??= new Map();
      const child = node.children.get(first);
      if (child === undefined) {
        const leaf = new PrefixNode<T>(key.slice(pos));
        leaf.values = [value];
        node.children.set(first, leaf);
        return;
      }
      const common = commonLength(child.label, key, pos);
      if (common < child.label.length) {
        // Split the edge: node → mid (shared part) → child (rest).
        const mid = new PrefixNode<T>(child.label.slice(0, common));
        child.label = child.label.slice(common);
        mid.children = new Map([[child.label.charCodeAt(0), child]]);
        node.children.set(first, mid);
        node = mid;
      } else {
        node = child;
      }
      pos += common;
    }
  }

  /** Call once all keys are in: prepares the single-child shortcuts. */
  seal(): void {
    for (const n of this.nodes()) {
      if (n.children !== null && n.children.size === 1) {
        for (const [code, child] of n.children) {
          n.only = child;
          n.onlyCode = code;
        }
      }
    }
  }

  /** Every node, for post-processing (sorting value lists). */
  *nodes(): Generator<PrefixNode<T>> {
    const stack: PrefixNode<T>[] = [this.root];
    for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
      yield n;
      if (n.children) for (const c of n.children.values()) stack.push(c);
    }
  }
}

function commonLength(label: string, key: string, pos: number): number {
  const max = Math.min(label.length, key.length - pos);
  let i = 0;
  while (i < max && label.charCodeAt(i) === key.charCodeAt(pos + i)) i++;
  return i;
}
