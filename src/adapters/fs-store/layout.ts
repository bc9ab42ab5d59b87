/**
 * The file store's layout on disk (version 2) and its file-name encoding.
 *
 * ```text
 * <directory>/format.json    {"format":"ediint-cem-fs-store","version":2}
 * <directory>/lock           the cross-process lock (lock.ts)
 * <directory>/journal.json   a commit's intent, present only while it is applied (journal.ts)
 * <directory>/changes.log    the key change log behind the in-process index (change-log.ts)
 * <directory>/tmp/           temporary files, renamed into place
 * <directory>/records/...    one file per record
 * ```
 *
 * A key's segments (`/`-separated) map to nested directories and the last one to a file whose
 * name ends with `=`: `rel/Acme%20Corp` is `records/rel/%41cme%2520%43orp=`. Each segment is
 * encoded so that names are distinct on case-insensitive filesystems and never special: `a-z`,
 * `0-9`, `-` and `_` stay, `.` stays inside a segment, every other character (upper case
 * included) becomes `%` and two lower-case hex digits. So `.`, `..` and hidden names cannot
 * occur, and `=`, `#` and a leading `.` are free for the store's own use. An encoded segment
 * longer than 128 characters becomes its first 96 or so characters, `#`, and 32 hex digits of the
 * SHA-256 of the segment (file names stay far below 255 bytes); such names are not reversible, so
 * a scan reads the key from the record file below them (every record file holds its key).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { CemEngineError } from '../../errors.js';
import { errno } from './io.js';
import type { FileStoreFs } from './io.js';

/** The format marker's `format`. */
export const FORMAT_NAME = 'ediint-cem-fs-store';
/** The layout version this code reads and writes. */
export const FORMAT_VERSION = 2;
/** The file of 0.1.0's single-document layout. */
export const LEGACY_DOCUMENT = 'cem-store.json';

/** The names of the store's own files and directories. */
export const NAMES = Object.freeze({
  format: 'format.json',
  lock: 'lock',
  journal: 'journal.json',
  log: 'changes.log',
  tmp: 'tmp',
  records: 'records',
});

/** The suffix of a record file name. */
export const RECORD_SUFFIX = '=';
const MAX_ENCODED = 128;
const HASHED_PREFIX = 96;

const isLiteral = (c: string, i: number, length: number): boolean =>
  (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c === '-' || c === '_' || (c === '.' && i > 0 && i < length - 1);

/** A segment's file-name form (without the record suffix). */
export function encodeSegment(segment: string): string {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    out += isLiteral(c, i, segment.length) ? c : `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  }
  if (out.length <= MAX_ENCODED) return out;
  let cut = HASHED_PREFIX;
  if (out[cut - 1] === '%') cut -= 1;
  else if (out[cut - 2] === '%') cut -= 2;
  return `${out.slice(0, cut)}#${createHash('sha256').update(segment).digest('hex').slice(0, 32)}`;
}

/**
 * The segment a file name encodes; `undefined` for a hashed name (the key is in the record file),
 * `null` for a name this layout never writes.
 */
export function decodeSegment(name: string): string | undefined | null {
  if (name.includes('#')) return /^[a-z0-9._%-]*#[0-9a-f]{32}$/.test(name) ? undefined : null;
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i] as string;
    if (c !== '%') {
      out += c;
      continue;
    }
    const hex = name.slice(i + 1, i + 3);
    if (!/^[0-9a-f]{2}$/.test(hex)) return null;
    out += String.fromCharCode(parseInt(hex, 16));
    i += 2;
  }
  return out.length > 0 && encodeSegment(out) === name ? out : null;
}

/** The path of `key`'s record file, relative to the records directory, as its parts. */
export function recordParts(key: string): string[] {
  const segments = key.split('/');
  return segments.map((s, i) => (i === segments.length - 1 ? `${encodeSegment(s)}${RECORD_SUFFIX}` : encodeSegment(s)));
}

/** The absolute paths of one store directory. */
export interface StorePaths {
  readonly directory: string;
  readonly format: string;
  readonly lock: string;
  readonly journal: string;
  readonly log: string;
  readonly tmp: string;
  readonly records: string;
  /** `key`'s record file. */
  record(key: string): string;
}

/** The paths of the store in `directory` (absolute). */
export function storePaths(directory: string): StorePaths {
  const records = join(directory, NAMES.records);
  return Object.freeze({
    directory,
    format: join(directory, NAMES.format),
    lock: join(directory, NAMES.lock),
    journal: join(directory, NAMES.journal),
    log: join(directory, NAMES.log),
    tmp: join(directory, NAMES.tmp),
    records,
    record: (key: string) => join(records, ...recordParts(key)),
  });
}

function layoutError(message: string, cause?: unknown): CemEngineError {
  return new CemEngineError('CEM_STORE_LAYOUT', `file store: ${message}`, { cause });
}

/** The format marker's text. */
export function formatMarker(): string {
  return `${JSON.stringify({ format: FORMAT_NAME, version: FORMAT_VERSION })}\n`;
}

/**
 * Reads the format marker: `true` when the directory holds a version-2 store, `false` when it
 * holds no store yet (missing, or without a marker).
 *
 * @throws CemEngineError `CEM_STORE_LAYOUT` for another layout version, 0.1.0's single document,
 *   or a marker that is not this store's; `CEM_PORT_FAILED` when it cannot be read.
 */
export async function readLayout(fs: FileStoreFs, paths: StorePaths): Promise<boolean> {
  let text: string;
  try {
    text = await fs.readFile(paths.format, 'utf8');
  } catch (error) {
    if (errno(error) !== 'ENOENT') throw new CemEngineError('CEM_PORT_FAILED', `file store: cannot read ${paths.format}`, { cause: error });
    const legacy = join(paths.directory, LEGACY_DOCUMENT);
    if (await fs.stat(legacy).then(() => true, () => false)) {
      throw layoutError(`${legacy} is the single-document layout of ediint-cem 0.1.0; this version reads layout ${FORMAT_VERSION} only (see the fs-store module documentation on migration)`);
    }
    return false;
  }
  let marker: { format?: unknown; version?: unknown } | null;
  try {
    marker = JSON.parse(text) as typeof marker;
  } catch (error) {
    throw layoutError(`${paths.format} is not a format marker`, error);
  }
  if (marker?.format !== FORMAT_NAME) throw layoutError(`${paths.format} is not the format marker of an ediint-cem file store`);
  if (marker.version !== FORMAT_VERSION) {
    throw layoutError(`${paths.directory} holds layout version ${String(marker.version)}; this version reads layout ${FORMAT_VERSION} only`);
  }
  return true;
}
