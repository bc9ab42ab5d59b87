/**
 * The write-ahead journal that makes a multi-record commit all-or-nothing.
 *
 * Holding the lock, a commit writes its whole intent to `journal.json` (temporary file, fsync,
 * rename, fsync of the directory): that rename is the commit point. It then replaces or removes
 * each record file, writes the keys it created and deleted to the change log at the offset the
 * journal names, removes the journal and fsyncs the directory. A process killed anywhere before the rename changed
 * nothing; killed after it, it leaves the journal, which the next holder of the lock replays
 * before anything else (every step rewrites the same bytes, so replaying is idempotent), and which
 * a reader that sees it waits for (it takes the lock) before reading.
 *
 * @module
 */
import { dirname } from 'node:path';
import { CemEngineError } from '../../errors.js';
import type { JsonValue } from '../../ports/json.js';
import { isStoreKey } from '../../ports/store.js';
import { appendAt, changeLines } from './change-log.js';
import type { LogPosition } from './change-log.js';
import { ensureDirectory, errno, removeFile, replaceFile, syncDirectory } from './io.js';
import type { FileStoreFs } from './io.js';
import type { StorePaths } from './layout.js';
import { recordText } from './records.js';

/**
 * One record change of a commit: its new version and value (version 1: a create), or
 * `value: null` to delete it.
 */
export interface JournalWrite {
  readonly key: string;
  readonly version: number;
  readonly value: JsonValue | null;
}

/** A commit's intent. */
export interface Journal {
  /** The end of the change log when the journal was written. */
  readonly log: LogPosition;
  readonly writes: readonly JournalWrite[];
}

/** Writes the journal durably: the commit point. */
export async function writeJournal(fs: FileStoreFs, paths: StorePaths, journal: Journal, durable: boolean): Promise<void> {
  await replaceFile(fs, paths.tmp, paths.journal, `${JSON.stringify(journal)}\n`, durable);
}

/**
 * Reads a journal left in the directory; `null` when there is none.
 *
 * @throws CemEngineError `CEM_PORT_FAILED` when it is unreadable (it is renamed into place whole,
 *   so only damage from outside causes that).
 */
export async function readJournal(fs: FileStoreFs, paths: StorePaths): Promise<Journal | null> {
  let text: string;
  try {
    text = await fs.readFile(paths.journal, 'utf8');
  } catch (error) {
    if (errno(error) === 'ENOENT') return null;
    throw error;
  }
  try {
    const j = JSON.parse(text) as Journal;
    const ok =
      typeof j.log?.epoch === 'string' &&
      Number.isSafeInteger(j.log.offset) &&
      Array.isArray(j.writes) &&
      j.writes.every((w) => isStoreKey(w.key) && Number.isSafeInteger(w.version) && w.value !== undefined);
    if (ok) return j;
  } catch {
    // reported below
  }
  throw new CemEngineError('CEM_PORT_FAILED', `file store: ${paths.journal} is damaged; the commit it holds cannot be completed`);
}

const APPLY_CONCURRENCY = 16;

/** Runs `run` on every item, a few at a time; on a failure, waits for the rest of its batch first. */
async function inBatches<T>(items: readonly T[], run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += APPLY_CONCURRENCY) {
    // Nothing may still write once the lock is released: settle the whole batch, then fail.
    const results = await Promise.allSettled(items.slice(i, i + APPLY_CONCURRENCY).map(run));
    const failure = results.find((r) => r.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  }
}

/**
 * Applies a journal: every record file, then the change log, then removes the journal. Answers
 * false when the change log was missing or unreadable (the caller rebuilds it from the records).
 * Call it holding the lock.
 */
export async function applyJournal(fs: FileStoreFs, paths: StorePaths, journal: Journal, durable: boolean): Promise<boolean> {
  // Record files are independent (the journal makes them one commit), so they are written a few
  // at a time, letting the filesystem batch their fsyncs: first every write, then every delete (a
  // delete removes directories it empties, which must not race a write creating a file there).
  const writes = journal.writes.filter((w) => w.value !== null);
  await inBatches(writes, async (w) => {
    const file = paths.record(w.key);
    await ensureDirectory(fs, dirname(file), durable);
    await replaceFile(fs, paths.tmp, file, recordText(w.key, w.version, w.value as JsonValue), durable);
  });
  await inBatches(journal.writes.filter((w) => w.value === null), (w) => removeFile(fs, paths.records, paths.record(w.key), durable));
  // Only creates (version 1) and deletes change the key set; updates are not logged.
  const changed = journal.writes.filter((w) => w.value === null || w.version === 1);
  const logged = changed.length === 0 || (await appendAt(fs, paths, journal.log, changeLines(changed.map((w) => ({ key: w.key, deleted: w.value === null }))), durable));
  await fs.unlink(paths.journal);
  // A journal that came back after a crash would replay an old commit over newer ones.
  if (durable) await syncDirectory(fs, paths.directory);
  return logged;
}
