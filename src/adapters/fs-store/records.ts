/**
 * Record files: one JSON file per record, `{"version":n,"key":"…","value":…}`, read whole (a
 * record is small), replaced atomically, and found again by a scan of the records tree when the
 * change log must be rebuilt.
 *
 * @module
 */
import { join } from 'node:path';
import { CemEngineError } from '../../errors.js';
import type { JsonValue } from '../../ports/json.js';
import { isStoreKey } from '../../ports/store.js';
import { errno } from './io.js';
import type { FileStoreFs } from './io.js';
import { decodeSegment, RECORD_SUFFIX } from './layout.js';
import type { StorePaths } from './layout.js';

/** A record as stored. */
export interface RecordContent {
  readonly version: number;
  readonly value: JsonValue;
}

/** A record file's text. */
export function recordText(key: string, version: number, value: JsonValue): string {
  return `${JSON.stringify({ version, key, value })}\n`;
}

function corrupt(path: string, why: string, cause?: unknown): CemEngineError {
  return new CemEngineError('CEM_PORT_FAILED', `file store: ${path} is not a record file (${why})`, { cause });
}

function parseRecord(path: string, text: string): { key: string; version: number; value: JsonValue } {
  let parsed: { version?: unknown; key?: unknown; value?: JsonValue } | null;
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch (error) {
    throw corrupt(path, 'invalid JSON', error);
  }
  const version = parsed?.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) throw corrupt(path, 'no version');
  if (typeof parsed?.key !== 'string' || parsed.value === undefined) throw corrupt(path, 'no key or value');
  return { key: parsed.key, version, value: parsed.value };
}

/**
 * Reads `key`'s record file; `undefined` when there is none.
 *
 * @throws CemEngineError `CEM_PORT_FAILED` when the file is not a record of `key`.
 */
export async function readRecord(fs: FileStoreFs, paths: StorePaths, key: string): Promise<RecordContent | undefined> {
  const path = paths.record(key);
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    if (['ENOENT', 'ENOTDIR'].includes(errno(error) ?? '')) return undefined;
    throw error;
  }
  const rec = parseRecord(path, text);
  // A hashed file name could, in theory, collide: the key inside decides.
  if (rec.key !== key) throw corrupt(path, `it holds ${JSON.stringify(rec.key)}`);
  return { version: rec.version, value: rec.value };
}

/** How many record files are read at once (well below the usual limit of open files). */
const READ_CONCURRENCY = 64;

/**
 * Reads the record files of `keys`, a bounded number at a time; `undefined` for each missing one.
 *
 * @throws CemEngineError `CEM_PORT_FAILED` when a file is not a record of its key.
 */
export async function readRecords(fs: FileStoreFs, paths: StorePaths, keys: readonly string[]): Promise<Array<RecordContent | undefined>> {
  const out: Array<RecordContent | undefined> = [];
  for (let i = 0; i < keys.length; i += READ_CONCURRENCY) {
    out.push(...(await Promise.all(keys.slice(i, i + READ_CONCURRENCY).map((k) => readRecord(fs, paths, k)))));
  }
  return out;
}

/**
 * Every key in the records tree, from the file names (reading the files only below hashed names).
 * Names this layout never writes (temporary files, strangers) are skipped.
 */
export async function scanKeys(fs: FileStoreFs, paths: StorePaths): Promise<string[]> {
  const keys: string[] = [];
  const walk = async (dir: string, segments: readonly (string | undefined)[]): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (errno(error) === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const isRecord = entry.isFile() && entry.name.endsWith(RECORD_SUFFIX);
      const segment = decodeSegment(isRecord ? entry.name.slice(0, -RECORD_SUFFIX.length) : entry.name);
      if (segment === null) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        await walk(path, [...segments, segment]);
      } else if (isRecord) {
        const all = [...segments, segment];
        const key = all.every((s) => s !== undefined) ? all.join('/') : parseRecord(path, await fs.readFile(path, 'utf8')).key;
        if (isStoreKey(key)) keys.push(key);
      }
    }
  };
  await walk(paths.records, []);
  return keys;
}
