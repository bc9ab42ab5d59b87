/**
 * `ediint-cem/adapters/fs-store`: a durable {@link CemStore} in one directory of the local
 * filesystem, one file per record.
 *
 * Layout (version 2, see `layout.ts`): `format.json` (the layout marker), `records/` (one JSON
 * file per record, at a path derived from its key: `rel/acme` is `records/rel/acme=`), `lock`,
 * `journal.json` (only while a commit is applied), `changes.log` and `tmp/`.
 *
 * Guarantees:
 * - A commit takes the cross-process lock, reads the record files it writes fresh, checks every
 *   expected version (a loser gets `CEM_STORE_CONFLICT`, so two processes never lose an update),
 *   writes its whole intent to a journal (fsync, rename, fsync: the commit point), then replaces
 *   each record file (temporary file, fsync, rename, fsync of the directory) and removes the
 *   journal. A process killed at any moment leaves the commit undone or journaled; the next one
 *   to take the lock replays the journal, and a reader that finds one waits for it, so no reader
 *   sees half a commit after a crash. The lock of a dead process is broken (see `lock.ts`). A
 *   commit that fails after its journal is written (a full disk, an I/O error) rejects with
 *   `CEM_PORT_FAILED` but takes effect when the journal is replayed, by the next operation: like a
 *   database connection lost at `COMMIT`, its outcome is unknown to the caller until it reads.
 * - `get` reads one file; `commit` writes only the files of its records, the journal and one
 *   change-log append: their cost does not depend on how many records are stored.
 * - `list(prefix, range)` reads the records of an in-process sorted key index. The index follows
 *   other processes' commits through `changes.log` (see `change-log.ts`): a list first reads the
 *   log's header and the bytes appended since its last look (nothing, when no one committed), so
 *   a range read costs `O(log n + returned)` plus the changes since. The first list of a process
 *   loads the log once (a few MB for 100 000 keys).
 *
 * Layout changes: the directory says its layout version in `format.json`, and this version opens
 * only layout 2; another version, or 0.1.0's single `cem-store.json`, is refused with
 * `CEM_STORE_LAYOUT` before anything is read or written. A future layout will ship a `migrate`
 * step that, holding the lock, reads the old layout with the old version's reader, writes the new
 * one beside it, and replaces `format.json` last, so that a migration killed midway is simply run
 * again. (From 0.1.0: read `cem-store.json` with 0.1.0 and commit its records into a new
 * directory, in batches.)
 *
 * Limits: one machine only. Several processes of one host may share the directory; several hosts
 * must not (NFS and similar shares do not give the locking and rename guarantees this relies on).
 * Paths below the directory can reach about 3 100 characters for the longest keys. For a cluster
 * of AS2 nodes, use a database adapter that passes `runStoreContract` from `ediint-cem/testing`.
 *
 * @module
 */
import { resolve } from 'node:path';
import { CemArgumentError, CemEngineError, isCemError } from '../../errors.js';
import { cloneJson } from '../../ports/json.js';
import { assertListOptions, assertStoreKey, assertStoreWrites, storeConflict } from '../../ports/store.js';
import type { CemStore, StoredRecord, StoreListOptions, StoreWrite } from '../../ports/store.js';
import { catchUp, logHead, shouldCompact, writeLog } from './change-log.js';
import type { LogPosition } from './change-log.js';
import { defaultFs, ensureDirectory, replaceFile, sweepLeftovers } from './io.js';
import type { FileStoreFs } from './io.js';
import { applyJournal, readJournal, writeJournal } from './journal.js';
import type { JournalWrite } from './journal.js';
import { createKeyIndex } from './key-index.js';
import { formatMarker, readLayout, storePaths } from './layout.js';
import { readRecord, readRecords, scanKeys } from './records.js';
import { acquireLock } from './lock.js';
import type { HeldLock } from './lock.js';

export type { FileStoreFs } from './io.js';

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
  /** How long a commit waits for another writer's lock; 10 000 ms by default. */
  readonly lockTimeoutMs?: number;
  /**
   * Age after which a lock counts as abandoned even if its process seems alive (pid reuse);
   * 60 000 ms by default. Must exceed the longest commit.
   */
  readonly staleLockMs?: number;
  /** fsync files and directories on every commit; `true` by default. */
  readonly durable?: boolean;
  /** The file functions to use; `node:fs/promises` by default (tests inject a counting wrapper). */
  readonly fs?: FileStoreFs;
}

/**
 * A {@link CemStore} on the filesystem.
 *
 * @example
 * ```ts
 * const store: FileStore = createFileStore({ directory })
 * console.log(`CEM state in ${store.directory}`)
 * ```
 */
export interface FileStore extends CemStore {
  /** The absolute path of the store directory. */
  readonly directory: string;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!(Number.isFinite(v) && v > 0)) throw new CemArgumentError(`createFileStore: ${name} must be a positive number`);
  return v;
}

/** How many record files a list reads at once. */
const READ_BATCH = 32;

/**
 * Creates a file store in `options.directory`. Nothing touches the disk until the first call.
 *
 * @example
 * ```ts
 * import { createFileStore } from 'ediint-cem/adapters/fs-store'
 * const store = createFileStore({ directory: '/var/lib/as2/cem' })
 * await store.commit([{ key: 'relationships/acme', expectedVersion: null, value: { status: 'new' } }])
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for an empty directory or non-positive timeouts. Its
 *   methods reject with `CEM_STORE_CONFLICT` (stale version), `CEM_ARGUMENT` (invalid keys, writes
 *   or ranges), `CEM_STORE_LAYOUT` (a directory of another layout version, or of 0.1.0) and
 *   `CEM_PORT_FAILED` (lock timeout, unreadable files, I/O failure).
 */
export function createFileStore(options: FileStoreOptions): FileStore {
  if (!options.directory) throw new CemArgumentError('createFileStore: a directory is required');
  const directory = resolve(options.directory);
  const paths = storePaths(directory);
  const fs = options.fs ?? defaultFs;
  const lockOptions = {
    timeoutMs: positive(options.lockTimeoutMs, 10_000, 'lockTimeoutMs'),
    staleMs: positive(options.staleLockMs, 60_000, 'staleLockMs'),
  };
  const durable = options.durable ?? true;
  const index = createKeyIndex();
  let position: LogPosition | null = null;
  let ready = false;
  // Commits and index refreshes of this instance run one after another; the lock orders commits
  // with other instances and processes.
  let commits: Promise<unknown> = Promise.resolve();
  let refreshes: Promise<unknown> = Promise.resolve();

  /** Rewrites the change log from the records tree (it was missing or damaged). */
  async function rebuildLog(): Promise<void> {
    await writeLog(fs, paths, await scanKeys(fs, paths), durable);
    position = null;
  }

  /** Creates the layout in an empty directory; the marker last, so a crash leaves no half store. */
  async function initialise(): Promise<void> {
    for (const dir of [paths.tmp, paths.records]) await ensureDirectory(fs, dir, durable);
    // Records without a marker can only be a marker removed by hand: index what is there.
    await writeLog(fs, paths, await scanKeys(fs, paths), durable);
    await replaceFile(fs, paths.tmp, paths.format, formatMarker(), durable);
  }

  /** Runs `body` holding the lock, after replaying any journal a killed writer left. */
  async function withLock<T>(create: boolean, body: (lock: HeldLock) => Promise<T>): Promise<T> {
    if (create && !ready) await fs.mkdir(directory, { recursive: true });
    const lock = await acquireLock(paths.lock, lockOptions, fs);
    try {
      if (!ready) ready = await readLayout(fs, paths);
      if (!ready && create) {
        await initialise();
        ready = true;
      }
      const journal = ready ? await readJournal(fs, paths) : null;
      // Two small directories (the store's root and tmp/): what killed writers left behind.
      if (ready) await sweepLeftovers(fs, paths.tmp, paths.lock, 10 * lockOptions.staleMs);
      if (journal !== null && !(await applyJournal(fs, paths, journal, durable))) await rebuildLog();
      return await body(lock);
    } finally {
      await lock.release();
    }
  }

  /** Before a read: the layout is checked, and a journal present is waited for (or replayed). */
  async function settle(): Promise<boolean> {
    if (!ready) ready = await readLayout(fs, paths);
    if (!ready) return false;
    if (await fs.stat(paths.journal).then(() => true, () => false)) await withLock(false, async () => undefined);
    return true;
  }

  /** Brings the key index up to the change log (one at a time). */
  function refresh(): Promise<void> {
    const run = refreshes.then(async () => {
      let next = await catchUp(fs, paths, index, position);
      if (next === null) {
        await withLock(false, async () => {
          if ((await catchUp(fs, paths, createKeyIndex(), null)) === null) await rebuildLog();
        });
        next = await catchUp(fs, paths, index, null);
        if (next === null) throw new CemEngineError('CEM_PORT_FAILED', `file store: ${paths.log} cannot be read`);
      }
      position = next;
    });
    refreshes = run.catch(() => undefined);
    return run;
  }

  async function commitLocked(writes: readonly StoreWrite[], lock: HeldLock): Promise<void> {
    const current = await readRecords(fs, paths, writes.map((w) => w.key));
    for (const [i, w] of writes.entries()) {
      const version = current[i]?.version ?? null;
      if (version !== w.expectedVersion) throw storeConflict(w.key, w.expectedVersion, version);
    }
    const changes: JournalWrite[] = writes
      .filter((w) => w.expectedVersion !== null || w.value !== null)
      .map((w) => ({ key: w.key, version: (w.expectedVersion ?? 0) + 1, value: w.value }));
    if (changes.length === 0) return;
    let head = await logHead(fs, paths);
    if (head === null || shouldCompact(head)) {
      // Compaction: the log's own keys (read whole, under the lock) become the new checkpoint.
      const keys = createKeyIndex();
      if (head === null || (await catchUp(fs, paths, keys, null)) === null) await rebuildLog();
      else await writeLog(fs, paths, keys.all(), durable);
      head = await logHead(fs, paths);
      if (head === null) throw new CemEngineError('CEM_PORT_FAILED', `file store: ${paths.log} cannot be written`);
    }
    if (!(await lock.isHeld())) throw new CemEngineError('CEM_PORT_FAILED', `file store: lost the lock on ${directory} before committing`);
    const journal = { log: { epoch: head.epoch, offset: head.offset }, writes: changes };
    await writeJournal(fs, paths, journal, durable);
    if (!(await applyJournal(fs, paths, journal, durable))) await rebuildLog();
  }

  async function listed(prefix: string, range: StoreListOptions | undefined): Promise<StoredRecord[]> {
    if (!(await settle())) return [];
    await refresh();
    const limit = range?.limit ?? Number.POSITIVE_INFINITY;
    const out: StoredRecord[] = [];
    let from: string | undefined;
    while (out.length < limit) {
      const want = Math.min(READ_BATCH, limit - out.length);
      const keys = index.range(prefix, range, want, from);
      const records = await readRecords(fs, paths, keys);
      for (const [i, rec] of records.entries()) {
        // A record deleted since the index last looked is skipped.
        if (rec !== undefined) out.push(Object.freeze({ key: keys[i] as string, version: rec.version, value: rec.value }));
      }
      if (keys.length < want) break;
      from = keys.at(-1);
    }
    return out.slice(0, limit);
  }

  const failed = (what: string) => (error: unknown): never => {
    throw isCemError(error) ? error : new CemEngineError('CEM_PORT_FAILED', `file store: ${what} failed in ${directory}`, { cause: error });
  };

  return Object.freeze({
    directory,
    async get(key: string): Promise<StoredRecord | undefined> {
      assertStoreKey(key);
      const read = async (): Promise<StoredRecord | undefined> => {
        if (!(await settle())) return undefined;
        const rec = await readRecord(fs, paths, key);
        return rec === undefined ? undefined : Object.freeze({ key, version: rec.version, value: rec.value });
      };
      return read().catch(failed('get'));
    },
    async list(prefix: string, range?: StoreListOptions): Promise<readonly StoredRecord[]> {
      assertListOptions(range);
      return Object.freeze(await listed(String(prefix), range).catch(failed('list')));
    },
    async commit(writes: readonly StoreWrite[]): Promise<void> {
      assertStoreWrites(writes);
      if (writes.length === 0) return;
      const copy = writes.map((w) => ({ ...w, value: w.value === null ? null : cloneJson(w.value) }));
      const run = commits.then(() => withLock(true, (lock) => commitLocked(copy, lock))).catch(failed('commit'));
      commits = run.catch(() => undefined);
      await run;
    },
  });
}
