/**
 * A binary min-heap of (key, id) number pairs in two parallel arrays (no object per entry), shared by the
 * warehouse's grid searches: the path-distance Dijkstra fields and the reservation table's space-time A*.
 * Hand-written: ~40 lines, and the searches' determinism depends on its exact tie order (equal keys come
 * out in the order this sift gives them), which a library's internals would not promise across versions.
 *
 * @module
 */

/** A min-heap of (key, id) pairs. */
export class MinHeap {
  private readonly keys: number[] = [];
  private readonly ids: number[] = [];

  /** Entries in the heap. */
  get size(): number {
    return this.keys.length;
  }

  /** The smallest key (undefined when empty). */
  get topKey(): number | undefined {
    return this.keys[0];
  }

  /** Adds `id` with priority `key`. */
  push(key: number, id: number): void {
    const { keys, ids } = this;
    keys.push(key);
    ids.push(id);
    let i = keys.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p]! <= key) break;
      keys[i] = keys[p]!;
      ids[i] = ids[p]!;
      i = p;
    }
    keys[i] = key;
    ids[i] = id;
  }

  /** Removes and returns the id with the smallest key (call only when `size > 0`). */
  pop(): number {
    const { keys, ids } = this;
    const top = ids[0]!;
    const key = keys.pop()!;
    const id = ids.pop()!;
    const n = keys.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const c = l + 1 < n && keys[l + 1]! < keys[l]! ? l + 1 : l;
        if (keys[c]! >= key) break;
        keys[i] = keys[c]!;
        ids[i] = ids[c]!;
        i = c;
      }
      keys[i] = key;
      ids[i] = id;
    }
    return top;
  }
}
