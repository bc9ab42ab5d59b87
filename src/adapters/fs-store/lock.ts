/**
 * An exclusive lock file shared by the processes of one machine.
 *
 * Taking the lock: write `{pid, hostname, nonce, createdAt}` to a private temporary file, then
 * `link(2)` it to the lock path. `link` fails with `EEXIST` when the lock exists, exactly like an
 * `O_EXCL` create, but the lock never exists half-written.
 *
 * A lock is stale when its owner is a process of this host that no longer runs (killed, crashed)
 * or, whatever the owner, when it is older than `staleMs` (pid reuse, unreadable lock). A stale
 * lock is moved aside with `rename(2)` and then checked by inode: if what was moved is not the
 * lock judged stale (another process broke it and took a new one meanwhile) it is linked back.
 * The owner checks by inode that it still holds the lock right before its final rename.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { CemEngineError } from '../../errors.js';
import { defaultFs, errno, isProcessAlive } from './io.js';
import type { FileStoreFs } from './io.js';

/** A held lock. */
export interface HeldLock {
  /** True while the lock file is still the one this holder created. */
  isHeld(): Promise<boolean>;
  /** Removes the lock if it is still this holder's. */
  release(): Promise<void>;
  /** True when taking it broke an abandoned lock (its holder may have left files behind). */
  readonly broken: boolean;
}

/** How long to wait and when a lock counts as abandoned. */
export interface LockOptions {
  readonly timeoutMs: number;
  readonly staleMs: number;
}

interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  readonly nonce: string;
}

interface LockState {
  readonly ino: number;
  readonly mtimeMs: number;
  readonly owner: LockOwner | null;
}

function parseOwner(text: string): LockOwner | null {
  try {
    const v = JSON.parse(text) as Partial<LockOwner>;
    return typeof v.pid === 'number' && typeof v.hostname === 'string' && typeof v.nonce === 'string'
      ? { pid: v.pid, hostname: v.hostname, nonce: v.nonce }
      : null;
  } catch {
    return null;
  }
}

/** Reads a lock file's inode, age and owner through one descriptor; `null` when there is none. */
async function inspect(fs: FileStoreFs, path: string): Promise<LockState | null> {
  let handle;
  try {
    handle = await fs.open(path, 'r');
  } catch (error) {
    if (errno(error) === 'ENOENT') return null;
    throw error;
  }
  try {
    const st = await handle.stat();
    return { ino: st.ino, mtimeMs: st.mtimeMs, owner: parseOwner(await handle.readFile('utf8')) };
  } finally {
    await handle.close();
  }
}

function isStale(state: LockState, staleMs: number): boolean {
  if (Date.now() - state.mtimeMs > staleMs) return true;
  const owner = state.owner;
  return owner !== null && owner.hostname === hostname() && !isProcessAlive(owner.pid);
}

/**
 * Removes the lock at `path` if it is still the inode `ino`: moves it aside, and links it back
 * when the move caught a newer lock.
 */
async function removeIfSame(fs: FileStoreFs, path: string, ino: number): Promise<void> {
  const aside = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await fs.rename(path, aside);
  } catch (error) {
    if (errno(error) === 'ENOENT') return;
    throw error;
  }
  try {
    if ((await fs.stat(aside)).ino !== ino) {
      await fs.link(aside, path).catch((error: unknown) => {
        if (errno(error) !== 'EEXIST') throw error;
      });
    }
  } finally {
    await fs.unlink(aside).catch(() => undefined);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes the lock at `path`, waiting for a live holder and breaking a stale one.
 *
 * @throws CemEngineError `CEM_PORT_FAILED` when the lock stays taken for `timeoutMs`, or on I/O
 *   errors.
 */
export async function acquireLock(path: string, options: LockOptions, fs: FileStoreFs = defaultFs): Promise<HeldLock> {
  const nonce = randomBytes(12).toString('hex');
  const staging = `${path}.${process.pid}.${nonce}.tmp`;
  const owner = JSON.stringify({ pid: process.pid, hostname: hostname(), nonce, createdAt: new Date().toISOString() });
  await fs.writeFile(staging, owner, { flag: 'wx', mode: 0o600 });
  const ino = (await fs.stat(staging)).ino;
  let broken = false;
  const deadline = Date.now() + options.timeoutMs;
  let pause = 2;
  try {
    for (;;) {
      try {
        await fs.link(staging, path);
        break;
      } catch (error) {
        if (errno(error) !== 'EEXIST') throw error;
      }
      const holder = await inspect(fs, path);
      if (holder !== null && isStale(holder, options.staleMs)) {
        await removeIfSame(fs, path, holder.ino);
        broken = true;
        continue;
      }
      if (Date.now() > deadline) {
        throw new CemEngineError('CEM_PORT_FAILED', `file store: lock ${path} still taken after ${options.timeoutMs} ms`);
      }
      await sleep(pause * (0.5 + Math.random()));
      pause = Math.min(pause * 2, 50);
    }
  } finally {
    await fs.unlink(staging).catch(() => undefined);
  }
  const isHeld = async (): Promise<boolean> => (await inspect(fs, path))?.ino === ino;
  return Object.freeze({
    isHeld,
    release: () => removeIfSame(fs, path, ino),
    broken,
  });
}
