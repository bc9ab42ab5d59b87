/**
 * The change log: how every process sharing a store keeps its in-process key index current
 * without rescanning the records.
 *
 * `changes.log` starts with a fixed-width header (`#cem-changes <epoch> <base>`), then a
 * checkpoint (`+key` for every key at the time the log was written, ending at byte `base`), then
 * one line per key a commit created (`+key`) or deleted (`-key`), appended under the lock
 * (updates do not change the key set and are not logged). A
 * process remembers the epoch and the byte offset it has read up to; a list reads the header and
 * only the bytes appended since (usually none), and reloads the whole log only when the epoch
 * changed. A committer writes a new log (a new epoch, its index as the checkpoint) when the
 * appended lines outgrow the checkpoint, so the log stays proportional to the store.
 *
 * Appends are written at the offset recorded in the commit's journal, so a replayed commit
 * rewrites the very same bytes, and a reader never consumes a line without its final newline.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { isStoreKey } from '../../ports/store.js';
import { errno, replaceFile } from './io.js';
import type { FileStoreFs } from './io.js';
import type { KeyIndex } from './key-index.js';
import type { StorePaths } from './layout.js';

const MAGIC = '#cem-changes';
const HEADER_LENGTH = MAGIC.length + 1 + 16 + 1 + 12 + 1;
/** A log shorter than this is never compacted. */
const COMPACT_MIN_BYTES = 1 << 20;

/** Where a reader or writer stands in the log. */
export interface LogPosition {
  readonly epoch: string;
  /** Bytes read (a reader) or the end of the log (a writer). */
  readonly offset: number;
}

/** A log's header and size. */
interface LogHead extends LogPosition {
  /** The end of the checkpoint. */
  readonly base: number;
}

function header(epoch: string, base: number): string {
  return `${MAGIC} ${epoch} ${String(base).padStart(12, '0')}\n`;
}

function parseHeader(text: string, size: number): LogHead | null {
  const m = /^#cem-changes ([0-9a-f]{16}) (\d{12})\n$/.exec(text);
  return m === null ? null : { epoch: m[1] as string, base: Number(m[2]), offset: size };
}

/** The lines of `keys` as a new-log checkpoint, with its header. */
function checkpoint(keys: readonly string[]): string {
  const body = keys.map((k) => `+${k}\n`).join('');
  return header(randomBytes(8).toString('hex'), HEADER_LENGTH + Buffer.byteLength(body)) + body;
}

/** The log lines of a commit: `+key` for each key written, `-key` for each deleted. */
export function changeLines(changes: readonly { readonly key: string; readonly deleted: boolean }[]): string {
  return changes.map((c) => `${c.deleted ? '-' : '+'}${c.key}\n`).join('');
}

/**
 * Replaces the log with a new epoch whose checkpoint is `keys` (durably). Call it holding the lock.
 */
export async function writeLog(fs: FileStoreFs, paths: StorePaths, keys: readonly string[], durable: boolean): Promise<void> {
  await replaceFile(fs, paths.tmp, paths.log, checkpoint(keys), durable);
}

/** The log's header and size; `null` when it is missing or has no valid header. */
export async function logHead(fs: FileStoreFs, paths: StorePaths): Promise<LogHead | null> {
  let handle;
  try {
    handle = await fs.open(paths.log, 'r');
  } catch (error) {
    if (errno(error) === 'ENOENT') return null;
    throw error;
  }
  try {
    const size = (await handle.stat()).size;
    const buffer = Buffer.alloc(HEADER_LENGTH);
    const { bytesRead } = await handle.read(buffer, 0, HEADER_LENGTH, 0);
    return parseHeader(buffer.toString('latin1', 0, bytesRead), size);
  } finally {
    await handle.close();
  }
}

/** True when the log should be rewritten from the index (its appended lines outgrew its checkpoint). */
export function shouldCompact(head: LogHead): boolean {
  return head.offset > COMPACT_MIN_BYTES && head.offset > 2 * head.base;
}

/**
 * Brings `index` up to the end of the log from `from` (the position it was at; `null` to load it
 * whole). Answers the new position, or `null` when the log is missing or unreadable (the caller
 * rebuilds it from the records, under the lock).
 */
export async function catchUp(fs: FileStoreFs, paths: StorePaths, index: KeyIndex, from: LogPosition | null): Promise<LogPosition | null> {
  let handle;
  try {
    handle = await fs.open(paths.log, 'r');
  } catch (error) {
    if (errno(error) === 'ENOENT') return null;
    throw error;
  }
  try {
    const size = (await handle.stat()).size;
    const head = Buffer.alloc(HEADER_LENGTH);
    const { bytesRead } = await handle.read(head, 0, HEADER_LENGTH, 0);
    const parsed = parseHeader(head.toString('latin1', 0, bytesRead), size);
    if (parsed === null) return null;
    const whole = from === null || from.epoch !== parsed.epoch || from.offset > size;
    const start = whole ? HEADER_LENGTH : from.offset;
    if (start >= size) return whole ? (index.replace([]), { epoch: parsed.epoch, offset: start }) : from;
    const tail = Buffer.alloc(size - start);
    let read = 0;
    while (read < tail.length) {
      const r = await handle.read(tail, read, tail.length - read, start + read);
      if (r.bytesRead === 0) break;
      read += r.bytesRead;
    }
    const text = tail.toString('latin1', 0, read);
    const complete = text.lastIndexOf('\n') + 1;
    const lines = text.slice(0, complete).split('\n');
    lines.pop();
    const apply = whole ? new Set<string>() : null;
    for (const line of lines) {
      const key = line.slice(1);
      if (!isStoreKey(key) || (line[0] !== '+' && line[0] !== '-')) return null;
      const add = line[0] === '+';
      if (apply !== null) add ? apply.add(key) : apply.delete(key);
      else add ? index.add(key) : index.delete(key);
    }
    if (apply !== null) index.replace(apply);
    return { epoch: parsed.epoch, offset: start + complete };
  } finally {
    await handle.close();
  }
}

/**
 * Writes a commit's `lines` at `at` (the log's end when the commit's journal was written), so a
 * replay writes the same bytes at the same place; appends at the end when the log has another
 * epoch by now. Answers false, writing nothing, when the log is missing or unreadable (the caller
 * rebuilds it). Call it holding the lock.
 */
export async function appendAt(fs: FileStoreFs, paths: StorePaths, at: LogPosition, lines: string, durable: boolean): Promise<boolean> {
  const head = await logHead(fs, paths);
  if (head === null) return false;
  const handle = await fs.open(paths.log, 'r+');
  try {
    const data = Buffer.from(lines, 'latin1');
    const offset = head.epoch === at.epoch ? at.offset : (await handle.stat()).size;
    let written = 0;
    while (written < data.length) written += (await handle.write(data, written, data.length - written, offset + written)).bytesWritten;
    await handle.truncate(offset + data.length);
    if (durable) await handle.datasync();
  } finally {
    await handle.close();
  }
  return true;
}
