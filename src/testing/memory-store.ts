/**
 * An in-memory {@link CemStore}: the reference adapter for tests and examples.
 *
 * @module
 */
import { CemArgumentError } from '../errors.js';
import { cloneJson } from '../ports/json.js';
import { assertListOptions, assertStoreKey, assertStoreWrites, storeConflict } from '../ports/store.js';
import type { CemStore, StoredRecord, StoreListOptions, StoreWrite } from '../ports/store.js';
import { createSortedKeys } from '../ports/sorted-keys.js';

/**
 * A {@link CemStore} held in memory, with a synchronous view for assertions.
 *
 * @example
 * ```ts
 * const store: MemoryStore = createMemoryStore()
 * expect(store.snapshot()['relationships/acme']?.version).toBe(2)
 * ```
 */
export interface MemoryStore extends CemStore {
  /** Every record, keyed and ordered by key (frozen copies). */
  snapshot(): Readonly<Record<string, StoredRecord>>;
  /** How many commits succeeded so far. */
  commitCount(): number;
}

function freezeRecord(key: string, version: number, value: StoredRecord['value']): StoredRecord {
  return Object.freeze({ key, version, value: cloneJson(value) });
}

/**
 * Creates an empty in-memory store, or one holding `initial` records (their versions kept).
 *
 * Each commit is checked and applied within one synchronous step, so concurrent commits behave as
 * in a real database: the first wins, the others conflict.
 *
 * @example
 * ```ts
 * const store = createMemoryStore()
 * await store.commit([{ key: 'a', expectedVersion: null, value: 1 }])
 * store.snapshot().a.version // 1
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` when an initial record is invalid (bad key or version, a
 *   null or non-JSON value, a key given twice).
 */
export function createMemoryStore(initial: readonly StoredRecord[] = []): MemoryStore {
  const records = new Map<string, StoredRecord>();
  const order = createSortedKeys();
  let commits = 0;
  for (const r of initial) {
    // A null value means "delete" in a commit, so no stored record can hold one.
    if (r.value === null) throw new CemArgumentError(`createMemoryStore: ${r.key} has a null value`);
    if (records.has(r.key)) throw new CemArgumentError(`createMemoryStore: ${r.key} given twice`);
    assertStoreWrites([{ key: r.key, expectedVersion: r.version, value: r.value }]);
    records.set(r.key, freezeRecord(r.key, r.version, r.value));
    order.add(r.key);
  }

  function apply(writes: readonly StoreWrite[]): void {
    assertStoreWrites(writes);
    for (const w of writes) {
      const current = records.get(w.key)?.version ?? null;
      if (current !== w.expectedVersion) throw storeConflict(w.key, w.expectedVersion, current);
    }
    // Copy every value before touching the map, so a bad value cannot leave half a commit.
    const next = writes.map((w) =>
      w.value === null ? { key: w.key, record: null } : { key: w.key, record: freezeRecord(w.key, (w.expectedVersion ?? 0) + 1, w.value) },
    );
    for (const { key, record } of next) {
      if (record === null) {
        records.delete(key);
        order.delete(key);
      } else {
        if (!records.has(key)) order.add(key);
        records.set(key, record);
      }
    }
    commits++;
  }

  /** The records of `prefix` in `range`, in key order: `O(log n + returned)`. */
  function listed(prefix: string, range: StoreListOptions = {}): StoredRecord[] {
    let from = prefix;
    let exclusive = false;
    if (range.start !== undefined && range.start > from) from = range.start;
    if (range.after !== undefined && range.after >= from) {
      from = range.after;
      exclusive = true;
    }
    const end = range.end;
    const keep = (key: string): boolean => key.startsWith(prefix) && (end === undefined || key < end);
    return order.range(from, exclusive, keep, range.limit ?? Number.POSITIVE_INFINITY).map((key) => records.get(key) as StoredRecord);
  }

  return Object.freeze({
    async get(key: string): Promise<StoredRecord | undefined> {
      assertStoreKey(key);
      return records.get(key);
    },
    async list(prefix: string, range?: StoreListOptions): Promise<readonly StoredRecord[]> {
      assertListOptions(range);
      return Object.freeze(listed(prefix, range));
    },
    async commit(writes: readonly StoreWrite[]): Promise<void> {
      apply(writes);
    },
    snapshot(): Readonly<Record<string, StoredRecord>> {
      return Object.freeze(Object.fromEntries(listed('').map((r) => [r.key, r])));
    },
    commitCount: (): number => commits,
  });
}
