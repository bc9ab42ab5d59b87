/**
 * A sorted set of strings with binary search: the ordered index behind the memory store's range
 * reads (insert and delete move the tail with one native copy; a range read costs
 * `O(log n + returned)`).
 *
 * @module
 */

/** The sorted key set. */
export interface SortedKeys {
  add(key: string): void;
  delete(key: string): void;
  /** Keys `>= from` (or `> from` when `exclusive`), in order, while `keep(key)` holds, at most `limit`. */
  range(from: string, exclusive: boolean, keep: (key: string) => boolean, limit: number): string[];
  readonly size: number;
}

/**
 * Creates an empty sorted key set.
 *
 * @example
 * ```ts
 * const keys = createSortedKeys(); keys.add('b'); keys.add('a')
 * keys.range('', false, () => true, 10) // ['a', 'b']
 * ```
 * @throws never.
 */
export function createSortedKeys(): SortedKeys {
  const keys: string[] = [];
  /** The first index whose key is `>= key` (`> key` when `after`). */
  const lowerBound = (key: string, after: boolean): number => {
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = keys[mid] as string;
      if (k < key || (after && k === key)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return {
    add(key: string): void {
      const at = lowerBound(key, false);
      if (keys[at] !== key) keys.splice(at, 0, key);
    },
    delete(key: string): void {
      const at = lowerBound(key, false);
      if (keys[at] === key) keys.splice(at, 1);
    },
    range(from: string, exclusive: boolean, keep: (key: string) => boolean, limit: number): string[] {
      const out: string[] = [];
      for (let i = lowerBound(from, exclusive); i < keys.length && out.length < limit; i++) {
        const key = keys[i] as string;
        if (!keep(key)) break;
        out.push(key);
      }
      return out;
    },
    get size(): number {
      return keys.length;
    },
  };
}
