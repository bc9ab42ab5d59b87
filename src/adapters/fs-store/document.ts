/**
 * The file store's one JSON document: reading it, replacing it atomically, and sweeping the
 * temporary files that killed writers leave behind.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CemEngineError } from '../../errors.js';
import type { JsonValue } from '../../ports/json.js';
import { isProcessAlive } from './lock.js';

/** The records of a store document, by key. */
export type RecordMap = Map<string, { readonly version: number; readonly value: JsonValue }>;

const FORMAT = 'ediint-cem-file-store';

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

function corrupt(path: string, why: string, cause?: unknown): CemEngineError {
  return new CemEngineError('CEM_PORT_FAILED', `file store: ${path} is not a store document (${why})`, { cause });
}

/**
 * Reads the document at `path`; a missing file is an empty store.
 *
 * @throws CemEngineError `CEM_PORT_FAILED` when the file is not a store document or cannot be read.
 */
export async function readDocument(path: string): Promise<RecordMap> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errno(error) === 'ENOENT') return new Map();
    throw new CemEngineError('CEM_PORT_FAILED', `file store: cannot read ${path}`, { cause: error });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw corrupt(path, 'invalid JSON', error);
  }
  const d = doc as { format?: unknown; formatVersion?: unknown; records?: unknown } | null;
  if (d?.format !== FORMAT || d.formatVersion !== 1 || typeof d.records !== 'object' || d.records === null) {
    throw corrupt(path, 'unknown format');
  }
  const records: RecordMap = new Map();
  for (const [key, rec] of Object.entries(d.records as Record<string, { version?: unknown; value?: JsonValue }>)) {
    if (typeof rec?.version !== 'number' || rec.value === undefined) throw corrupt(path, `bad record ${key}`);
    records.set(key, { version: rec.version, value: rec.value });
  }
  return records;
}

async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch (error) {
    // Some platforms cannot open or sync a directory; the rename itself is still atomic there.
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EACCES'].includes(errno(error) ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}

/**
 * Replaces the document at `path` with `records`: write a temporary file, fsync it, check
 * `stillOurs()`, rename it over the document, fsync the directory. Readers see the old document
 * or the new one, never a mix; a crash at any point leaves one of the two.
 *
 * @throws CemEngineError `CEM_PORT_FAILED` when `stillOurs()` answers false (nothing is written).
 */
export async function writeDocument(path: string, records: RecordMap, durable: boolean, stillOurs: () => Promise<boolean>): Promise<void> {
  const sorted = [...records.keys()].sort();
  const doc = { format: FORMAT, formatVersion: 1, records: Object.fromEntries(sorted.map((k) => [k, records.get(k)])) };
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    try {
      await handle.writeFile(`${JSON.stringify(doc)}\n`, 'utf8');
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    if (!(await stillOurs())) throw new CemEngineError('CEM_PORT_FAILED', `file store: lost the lock on ${path} before writing`);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  if (durable) await syncDirectory(dirname(path));
}

const LEFTOVER = /^\.(\d+)\.[0-9a-f]+\.(tmp|stale)$/;

/**
 * Deletes temporary and moved-aside files of `base` (the document or the lock) left by processes
 * that no longer run, or older than `maxAgeMs`. Call it holding the lock.
 */
export async function sweepLeftovers(directory: string, bases: readonly string[], maxAgeMs: number): Promise<void> {
  for (const name of await readdir(directory)) {
    const base = bases.find((b) => name.startsWith(b) && LEFTOVER.test(name.slice(b.length)));
    if (base === undefined) continue;
    const pid = Number(LEFTOVER.exec(name.slice(base.length))?.[1]);
    const file = join(directory, name);
    try {
      const old = Date.now() - (await stat(file)).mtimeMs > maxAgeMs;
      if (old || (pid !== process.pid && !isProcessAlive(pid))) await unlink(file);
    } catch (error) {
      if (errno(error) !== 'ENOENT') throw error;
    }
  }
}
