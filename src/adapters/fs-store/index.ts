/**
 * `ediint-cem/adapters/fs-store`: a durable {@link CemStore} in one directory of the local
 * filesystem.
 *
 * How it works: every record lives in one JSON document (`cem-store.json`). A commit takes an
 * exclusive lock file (`cem-store.json.lock`), reads the document, checks every expected version,
 * writes the new document to a temporary file, fsyncs it, renames it over the old one and fsyncs
 * the directory. Reads take no lock: `rename(2)` swaps the document atomically, so a reader sees
 * the whole old document or the whole new one. A writer killed at any moment leaves the old
 * document intact; its lock is recognised as abandoned (its process is gone) and broken by the next
 * writer, and its temporary files are swept.
 *
 * Limits: one machine only. Several processes of one host may share the directory; several hosts
 * must not (NFS and similar shares do not give the locking and rename guarantees this relies on).
 * Each read parses the whole document and each commit rewrites it, which suits the CEM state of
 * some thousands of partners, not an unbounded log. For a cluster of AS2 nodes, use a database
 * adapter that passes `runStoreContract` from `ediint-cem/testing`.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CemArgumentError, CemEngineError, isCemError } from '../../errors.js';
import { cloneJson } from '../../ports/json.js';
import { assertListOptions, assertStoreKey, assertStoreWrites, keyInRange, storeConflict } from '../../ports/store.js';
import type { CemStore, StoredRecord, StoreListOptions, StoreWrite } from '../../ports/store.js';
import { readDocument, sweepLeftovers, writeDocument } from './document.js';
import type { RecordMap } from './document.js';
import { acquireLock } from './lock.js';

/**
 * Options of {@link createFileStore}.
 *
 * @example
 * ```ts
 * createFileStore({ directory: '/var/lib/as2/cem', lockTimeoutMs: 5_000 })
 * ```
 */
export interface FileStoreOptions {
  /** The directory holding the store; created on the first commit. */
  readonly directory: string;
  /** The document's file name; `cem-store.json` by default. */
  readonly fileName?: string;
  /** How long a commit waits for another writer's lock; 10 000 ms by default. */
  readonly lockTimeoutMs?: number;
  /**
   * Age after which a lock counts as abandoned even if its process seems alive (pid reuse);
   * 60 000 ms by default. Must exceed the longest commit.
   */
  readonly staleLockMs?: number;
  /** fsync the document and directory on every commit; `true` by default. */
  readonly durable?: boolean;
}

/**
 * A {@link CemStore} on the filesystem.
 *
 * @example
 * ```ts
 * const store: FileStore = createFileStore({ directory })
 * console.log(`CEM state in ${store.file}`)
 * ```
 */
export interface FileStore extends CemStore {
  /** The absolute path of the store document. */
  readonly file: string;
}

function toRecord(key: string, rec: { readonly version: number; readonly value: StoredRecord['value'] }): StoredRecord {
  return Object.freeze({ key, version: rec.version, value: cloneJson(rec.value) });
}

function applyWrites(records: RecordMap, writes: readonly StoreWrite[]): boolean {
  for (const w of writes) {
    const current = records.get(w.key)?.version ?? null;
    if (current !== w.expectedVersion) throw storeConflict(w.key, w.expectedVersion, current);
  }
  let changed = false;
  for (const w of writes) {
    if (w.value !== null) {
      records.set(w.key, { version: (w.expectedVersion ?? 0) + 1, value: w.value });
      changed = true;
    } else if (records.delete(w.key)) {
      changed = true;
    }
  }
  return changed;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!(Number.isFinite(v) && v > 0)) throw new CemArgumentError(`createFileStore: ${name} must be a positive number`);
  return v;
}

/**
 * Creates a file store in `options.directory`. Nothing touches the disk until the first call.
 *
 * @example
 * ```ts
 * import { createFileStore } from 'ediint-cem/adapters/fs-store'
 * const store = createFileStore({ directory: '/var/lib/as2/cem' })
 * await store.commit([{ key: 'relationships/acme', expectedVersion: null, value: { status: 'new' } }])
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for an empty directory or file name, or non-positive
 *   timeouts. Its methods reject with `CEM_STORE_CONFLICT` (stale version), `CEM_ARGUMENT` (invalid
 *   writes) and `CEM_PORT_FAILED` (lock timeout, unreadable document, I/O failure).
 */
export function createFileStore(options: FileStoreOptions): FileStore {
  const fileName = options.fileName ?? 'cem-store.json';
  if (!options.directory || !fileName || /[/\\]/.test(fileName)) {
    throw new CemArgumentError('createFileStore: a directory and a plain file name are required');
  }
  const directory = resolve(options.directory);
  const file = join(directory, fileName);
  const lockFile = `${file}.lock`;
  const lockOptions = {
    timeoutMs: positive(options.lockTimeoutMs, 10_000, 'lockTimeoutMs'),
    staleMs: positive(options.staleLockMs, 60_000, 'staleLockMs'),
  };
  const durable = options.durable ?? true;
  // Commits of this instance run one after another; the lock file orders them with other
  // instances and processes.
  let queue: Promise<unknown> = Promise.resolve();

  async function commitLocked(writes: readonly StoreWrite[]): Promise<void> {
    await mkdir(directory, { recursive: true });
    const lock = await acquireLock(lockFile, lockOptions);
    try {
      const records = await readDocument(file);
      if (!applyWrites(records, writes)) return;
      await sweepLeftovers(directory, [fileName, `${fileName}.lock`], 10 * lockOptions.staleMs);
      await writeDocument(file, records, durable, lock.isHeld);
    } finally {
      await lock.release();
    }
  }

  return Object.freeze({
    file,
    async get(key: string): Promise<StoredRecord | undefined> {
      assertStoreKey(key);
      const rec = (await readDocument(file)).get(key);
      return rec === undefined ? undefined : toRecord(key, rec);
    },
    async list(prefix: string, range?: StoreListOptions): Promise<readonly StoredRecord[]> {
      assertListOptions(range);
      const records = [...(await readDocument(file))].filter(([k]) => keyInRange(k, prefix, range));
      records.sort(([a], [b]) => (a < b ? -1 : 1));
      return Object.freeze(records.slice(0, range?.limit ?? records.length).map(([k, rec]) => toRecord(k, rec)));
    },
    async commit(writes: readonly StoreWrite[]): Promise<void> {
      assertStoreWrites(writes);
      if (writes.length === 0) return;
      const copy = writes.map((w) => ({ ...w, value: w.value === null ? null : cloneJson(w.value) }));
      const run = queue.then(() => commitLocked(copy)).catch((error: unknown) => {
        throw isCemError(error) ? error : new CemEngineError('CEM_PORT_FAILED', `file store: commit failed in ${directory}`, { cause: error });
      });
      queue = run.catch(() => undefined);
      await run;
    },
  });
}
