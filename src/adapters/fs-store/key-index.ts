/**
 * The in-process ordered index of a file store's keys: a sorted array with binary search, the
 * same idea as the memory store's `SortedKeys`. `replace` loads a whole key set (one sort),
 * `add`/`delete` follow single changes (one native copy of the tail), and a range read costs
 * `O(log n + returned)`.
 *
 * @module
 */
import type { StoreListOptions } from '../../ports/store.js';

/** A sorted key set. */
export interface KeyIndex {
  /** Replaces every key (any order, duplicates allowed). */
  replace(keys: Iterable<string>): void;
  add(key: string): void;
  delete(key: string): void;
  /** Every key, in order (a copy). */
  all(): string[];
  /**
   * The keys of `prefix` in `range` (without its limit), in order, starting after `from` when
   * given; at most `max`.
   */
  range(prefix: string, range: StoreListOptions | undefined, max: number, from?: string): string[];
  readonly size: number;
}

/**
 * Creates an empty key index.
 *
 * @throws never.
 */
export function createKeyIndex(): KeyIndex {
  let keys: string[] = [];
  /** The first position whose key is `>= key` (`> key` when `after`). */
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
    replace(next: Iterable<string>): void {
      keys = [...new Set(next)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    },
    add(key: string): void {
      const at = lowerBound(key, false);
      if (keys[at] !== key) keys.splice(at, 0, key);
    },
    delete(key: string): void {
      const at = lowerBound(key, false);
      if (keys[at] === key) keys.splice(at, 1);
    },
    all: (): string[] => [...keys],
    range(prefix: string, range: StoreListOptions | undefined, max: number, from?: string): string[] {
      let start = prefix;
      let exclusive = false;
      if (range?.start !== undefined && range.start > start) start = range.start;
      if (range?.after !== undefined && range.after >= start) {
        start = range.after;
        exclusive = true;
      }
      if (from !== undefined && from >= start) {
        start = from;
        exclusive = true;
      }
      const end = range?.end;
      const out: string[] = [];
      for (let i = lowerBound(start, exclusive); i < keys.length && out.length < max; i++) {
        const key = keys[i] as string;
        if (!key.startsWith(prefix) || (end !== undefined && key >= end)) break;
        out.push(key);
      }
      return out;
    },
    get size(): number {
      return keys.length;
    },
  };
}
