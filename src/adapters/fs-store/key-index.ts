/**
 * The in-process ordered index of a file store's keys, on the sorted chunks the memory store
 * uses too (`SortedKeys`): `replace` loads a whole key set, `add`/`delete` follow single changes,
 * and a range read costs `O(log n + returned)`.
 *
 * @module
 */
import { createSortedKeys, type SortedKeys } from '../../ports/sorted-keys.js';
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
  let keys: SortedKeys = createSortedKeys();
  return {
    replace(next: Iterable<string>): void {
      keys = createSortedKeys();
      for (const key of [...new Set(next)].sort()) keys.add(key);
    },
    add: (key: string): void => keys.add(key),
    delete: (key: string): void => keys.delete(key),
    all: (): string[] => keys.range('', false, () => true, Number.POSITIVE_INFINITY),
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
      return keys.range(start, exclusive, (key) => key.startsWith(prefix) && (end === undefined || key < end), max);
    },
    get size(): number {
      return keys.size;
    },
  };
}
