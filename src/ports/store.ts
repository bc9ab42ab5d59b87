/**
 * The store port: a versioned key/value record store. The engine keeps every piece of CEM state
 * in it and changes it only through {@link CemStore.commit}, whose version check is what stops two
 * engines sharing one store (two nodes of an AS2 cluster) from both acting on the same record.
 *
 * @module
 */
import { CemArgumentError, CemEngineError } from '../errors.js';
import { assertJsonValue } from './json.js';
import type { JsonValue } from './json.js';

/**
 * One stored record.
 *
 * @example
 * ```ts
 * const rec: StoredRecord = { key: 'relationships/acme', version: 3, value: { status: 'active' } }
 * ```
 */
export interface StoredRecord {
  /** The record's key (see {@link isStoreKey}). */
  readonly key: string;
  /** 1 for a new record, plus one for every committed write since. */
  readonly version: number;
  /** The record's value. */
  readonly value: JsonValue;
}

/**
 * One write of a {@link CemStore.commit}.
 *
 * | `expectedVersion` | `value` | meaning |
 * |---|---|---|
 * | `null` | a value | create; conflict when the key exists |
 * | `n` | a value | replace version `n`; conflict when the version is not `n` |
 * | `n` | `null` | delete version `n`; conflict when the version is not `n` |
 * | `null` | `null` | assert the key does not exist; writes nothing |
 *
 * @example
 * ```ts
 * const w: StoreWrite = { key: 'relationships/acme', expectedVersion: 3, value: next }
 * ```
 */
export interface StoreWrite {
  readonly key: string;
  /** The version the writer read, or `null` for "must not exist". */
  readonly expectedVersion: number | null;
  /** The new value, or `null` to delete. */
  readonly value: JsonValue | null;
}

/**
 * A range of a {@link CemStore.list}: keys compared as strings in code-unit order (byte order for
 * the ASCII keys of a store).
 *
 * @example
 * ```ts
 * // the due index up to now, 100 at a time
 * const due = await store.list('due/', { end: `due/${now.toISOString()}~`, limit: 100 })
 * // the next page after the last key read
 * const next = await store.list('due/', { after: due.at(-1)?.key, limit: 100 })
 * ```
 */
export interface StoreListOptions {
  /** Only keys `>= start`. */
  readonly start?: string;
  /** Only keys `> after` (for paging: the last key of the previous page). */
  readonly after?: string;
  /** Only keys `< end`. */
  readonly end?: string;
  /** At most this many records (a positive integer), the first in key order. */
  readonly limit?: number;
}

/**
 * A versioned record store. Every method is async; adapters must pass `runStoreContract` from
 * `ediint-cem/testing`.
 *
 * - `get(key)`: the record, or `undefined`.
 * - `list(prefix, range?)`: the records whose key starts with `prefix` (a plain string prefix; use
 *   a trailing `/`) and lies in `range` ({@link StoreListOptions}: `start`, `after`, `end`,
 *   `limit`), sorted by key in code-unit order (the same as byte order, keys being ASCII). The
 *   engine reads its indexes with ranges and limits, so the cost of a list must follow the
 *   records returned (an ordered index), not the records stored.
 * - `commit(writes)`: all writes or none. Rejects with `CEM_STORE_CONFLICT`, writing nothing, when
 *   any `expectedVersion` is stale. A successful write sets the version to `expectedVersion + 1`
 *   (1 for a create). A deleted key that is created again starts again at version 1.
 *
 * Returned values are copies: mutating them never changes the store.
 *
 * @example
 * ```ts
 * const rec = await store.get('relationships/acme')
 * await store.commit([{ key: 'relationships/acme', expectedVersion: rec?.version ?? null, value }])
 * ```
 */
export interface CemStore {
  /** @throws CemArgumentError `CEM_ARGUMENT` for an invalid key. */
  get(key: string): Promise<StoredRecord | undefined>;
  /**
   * Accepts any string as a prefix (`''` lists everything).
   * @throws CemArgumentError `CEM_ARGUMENT` for an invalid range (see {@link assertListOptions}).
   */
  list(prefix: string, range?: StoreListOptions): Promise<readonly StoredRecord[]>;
  /**
   * @throws CemEngineError `CEM_STORE_CONFLICT` when a version is stale;
   * `CemArgumentError` `CEM_ARGUMENT` for invalid keys, versions, values or a key written twice.
   */
  commit(writes: readonly StoreWrite[]): Promise<void>;
}

/**
 * True when `key` is a valid store key: 1–1024 printable ASCII characters (U+0020–U+007E), `/`
 * separating non-empty segments (no leading, trailing or doubled `/`).
 *
 * @example
 * ```ts
 * isStoreKey('relationships/acme/requests/req-1') // true
 * isStoreKey('/relationships')                     // false
 * ```
 */
export function isStoreKey(key: string): boolean {
  if (typeof key !== 'string' || key.length < 1 || key.length > 1024) return false;
  let previous = 0x2f; // a leading '/' counts as an empty segment
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || (c === 0x2f && previous === 0x2f)) return false;
    previous = c;
  }
  return previous !== 0x2f;
}

/**
 * Builds a store key from raw segments (partner names may hold any character), escaping each one
 * with `encodeURIComponent` so that the result is a valid key and `/` only separates.
 *
 * @example
 * ```ts
 * storeKey('relationships', 'Acme Corp/EU') // 'relationships/Acme%20Corp%2FEU'
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` when a segment is empty or the key is too long.
 */
export function storeKey(...segments: readonly string[]): string {
  const key = segments.map((s) => encodeURIComponent(s)).join('/');
  if (!isStoreKey(key)) throw new CemArgumentError(`storeKey: invalid key ${JSON.stringify(key)}`);
  return key;
}

/**
 * Validates a commit's writes, for adapters: valid keys, no key twice, versions positive integers
 * or `null`, values JSON.
 *
 * @example
 * ```ts
 * async commit(writes) { assertStoreWrites(writes); ... }
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` naming the offending write.
 */
export function assertStoreWrites(writes: readonly StoreWrite[]): void {
  if (!Array.isArray(writes)) throw new CemArgumentError('commit: writes must be an array');
  const seen = new Set<string>();
  for (const w of writes) {
    if (typeof w.key !== 'string' || !isStoreKey(w.key)) {
      throw new CemArgumentError(`commit: invalid key ${JSON.stringify(w.key)}`);
    }
    if (seen.has(w.key)) throw new CemArgumentError(`commit: key ${w.key} written twice`);
    seen.add(w.key);
    const v = w.expectedVersion;
    if (v !== null && !(Number.isSafeInteger(v) && v >= 1)) {
      throw new CemArgumentError(`commit: invalid expectedVersion ${String(v)} for ${w.key}`);
    }
    if (w.value !== null) assertJsonValue(w.value, w.key);
  }
}

/**
 * Validates a {@link CemStore.list} range, for adapters: `start`, `after` and `end` strings when
 * given, `limit` a positive safe integer.
 *
 * @example
 * ```ts
 * async list(prefix, range) { assertListOptions(range); ... }
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` naming the offending option.
 */
export function assertListOptions(range: StoreListOptions | undefined): void {
  if (range === undefined) return;
  if (range === null || typeof range !== 'object') throw new CemArgumentError('list: the range must be an object');
  for (const name of ['start', 'after', 'end'] as const) {
    const value = range[name];
    if (value !== undefined && typeof value !== 'string') throw new CemArgumentError(`list: ${name} must be a string`);
  }
  const limit = range.limit;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 1)) throw new CemArgumentError(`list: invalid limit ${String(limit)}`);
}

/**
 * True when `key` lies in `prefix` and `range` (the filter of {@link CemStore.list}, without its
 * limit): for adapters that filter keys themselves.
 *
 * @example
 * ```ts
 * keyInRange('due/2027-01-01T00:00:00.000Z/rel/a', 'due/', { end: 'due/2028' }) // true
 * ```
 * @throws never.
 */
export function keyInRange(key: string, prefix: string, range: StoreListOptions | undefined): boolean {
  if (!key.startsWith(prefix)) return false;
  if (range === undefined) return true;
  if (range.start !== undefined && key < range.start) return false;
  if (range.after !== undefined && key <= range.after) return false;
  if (range.end !== undefined && key >= range.end) return false;
  return true;
}

/**
 * Asserts `key` is valid, for adapters' `get`.
 *
 * @example
 * ```ts
 * async get(key) { assertStoreKey(key); ... }
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT`.
 */
export function assertStoreKey(key: string): void {
  if (typeof key !== 'string' || !isStoreKey(key)) {
    throw new CemArgumentError(`invalid store key ${JSON.stringify(key)}`);
  }
}

/**
 * The error an adapter throws when a version check fails.
 *
 * @example
 * ```ts
 * if (current !== w.expectedVersion) throw storeConflict(w.key, w.expectedVersion, current)
 * ```
 */
export function storeConflict(key: string, expected: number | null, actual: number | null): CemEngineError {
  return new CemEngineError(
    'CEM_STORE_CONFLICT',
    `store conflict on ${key}: expected version ${expected ?? 'none'}, found ${actual ?? 'none'}`,
  );
}
