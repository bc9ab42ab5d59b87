/**
 * A sorted set of strings kept as a list of sorted chunks (at most {@link CHUNK} keys each,
 * the layout of Python's `sortedcontainers`): insert and delete cost a binary search and a splice
 * within one chunk, a range read `O(log n + returned)`. The ordered key index of the memory store
 * and the file store.
 *
 * @module
 */

/** Largest chunk before it is split in two. */
const CHUNK = 512;

/** The sorted key set. */
export interface SortedKeys {
  add(key: string): void;
  delete(key: string): void;
  /** Keys `>= from` (or `> from` when `exclusive`), in order, while `keep(key)` holds, at most `limit`. */
  range(from: string, exclusive: boolean, keep: (key: string) => boolean, limit: number): string[];
  readonly size: number;
}

/** The first index in `keys` whose key is `>= key` (`> key` when `after`). */
function lowerBound(keys: readonly string[], key: string, after: boolean): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const k = keys[mid] as string;
    if (k < key || (after && k === key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
  const chunks: string[][] = [];
  /** The last key of each chunk, for the binary search over chunks. */
  const maxes: string[] = [];
  let size = 0;
  /** The chunk that holds `key` or where it belongs (the last one when it is beyond every key). */
  const chunkFor = (key: string, after: boolean): number => Math.min(lowerBound(maxes, key, after), chunks.length - 1);
  return {
    add(key: string): void {
      if (chunks.length === 0) {
        chunks.push([key]);
        maxes.push(key);
        size = 1;
        return;
      }
      const c = chunkFor(key, false);
      const chunk = chunks[c] as string[];
      const at = lowerBound(chunk, key, false);
      if (chunk[at] === key) return;
      chunk.splice(at, 0, key);
      size++;
      maxes[c] = chunk[chunk.length - 1] as string;
      if (chunk.length > CHUNK * 2) {
        const tail = chunk.splice(CHUNK);
        chunks.splice(c + 1, 0, tail);
        maxes.splice(c, 1, chunk[chunk.length - 1] as string, tail[tail.length - 1] as string);
      }
    },
    delete(key: string): void {
      if (chunks.length === 0) return;
      const c = chunkFor(key, false);
      const chunk = chunks[c] as string[];
      const at = lowerBound(chunk, key, false);
      if (chunk[at] !== key) return;
      chunk.splice(at, 1);
      size--;
      if (chunk.length === 0) {
        chunks.splice(c, 1);
        maxes.splice(c, 1);
      } else {
        maxes[c] = chunk[chunk.length - 1] as string;
      }
    },
    range(from: string, exclusive: boolean, keep: (key: string) => boolean, limit: number): string[] {
      const out: string[] = [];
      if (chunks.length === 0) return out;
      let c = chunkFor(from, exclusive);
      let i = lowerBound(chunks[c] as string[], from, exclusive);
      while (c < chunks.length && out.length < limit) {
        const chunk = chunks[c] as string[];
        if (i >= chunk.length) {
          c++;
          i = 0;
          continue;
        }
        const key = chunk[i] as string;
        if (!keep(key)) break;
        out.push(key);
        i++;
      }
      return out;
    },
    get size(): number {
      return size;
    },
  };
}
