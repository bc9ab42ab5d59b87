/**
 * The file store's file operations: durable replace (temporary file, fsync, rename, fsync of the
 * directory), directory creation and removal, and sweeping what killed writers leave behind. All
 * I/O goes through a {@link FileStoreFs}, `node:fs/promises` unless a test injects a counting one.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * The functions of `node:fs/promises` the file store uses; `fs` of {@link FileStoreOptions}
 * (tests inject a wrapper that counts calls).
 */
export type FileStoreFs = Pick<typeof nodeFs, 'open' | 'readFile' | 'writeFile' | 'rename' | 'unlink' | 'mkdir' | 'rmdir' | 'readdir' | 'stat' | 'link'>;

/** `node:fs/promises` itself. */
export const defaultFs: FileStoreFs = nodeFs;

/** The `code` of a Node.js system error. */
export function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/** True unless `pid` is certainly gone (`kill(pid, 0)` answers ESRCH). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errno(error) !== 'ESRCH';
  }
}

/** fsyncs a directory, so that the entries created, renamed or removed in it are durable. */
export async function syncDirectory(fs: FileStoreFs, directory: string): Promise<void> {
  let handle;
  try {
    handle = await fs.open(directory, 'r');
    await handle.sync();
  } catch (error) {
    // Some platforms cannot open or sync a directory; renames there are still atomic.
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EACCES'].includes(errno(error) ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}

/** Creates `directory` and its missing parents, fsyncing the parent of each one created. */
export async function ensureDirectory(fs: FileStoreFs, directory: string, durable: boolean): Promise<void> {
  try {
    await fs.mkdir(directory);
  } catch (error) {
    if (errno(error) === 'EEXIST') return;
    if (errno(error) !== 'ENOENT') throw error;
    await ensureDirectory(fs, dirname(directory), durable);
    try {
      await fs.mkdir(directory);
    } catch (again) {
      if (errno(again) === 'EEXIST') return;
      throw again;
    }
  }
  if (durable) await syncDirectory(fs, dirname(directory));
}

/**
 * Replaces `target` with `data` atomically: writes a temporary file in `tmpDirectory` (same
 * filesystem), fsyncs it, renames it to `target` and fsyncs `target`'s directory. A reader sees
 * the old file or the new one; a crash leaves one of the two (and maybe a temporary file).
 */
export async function replaceFile(fs: FileStoreFs, tmpDirectory: string, target: string, data: string, durable: boolean): Promise<void> {
  const temp = join(tmpDirectory, `${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(temp, 'wx', 0o600);
  try {
    try {
      await handle.writeFile(data, 'utf8');
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, target);
  } catch (error) {
    await fs.unlink(temp).catch(() => undefined);
    throw error;
  }
  if (durable) await syncDirectory(fs, dirname(target));
}

/**
 * Removes the file `path` (missing is fine) and then its parent directories while they are empty,
 * up to but excluding `root`; fsyncs the directory that keeps the last removal.
 */
export async function removeFile(fs: FileStoreFs, root: string, path: string, durable: boolean): Promise<void> {
  try {
    await fs.unlink(path);
  } catch (error) {
    if (errno(error) !== 'ENOENT') throw error;
  }
  let dir = dirname(path);
  while (dir.length > root.length && dir.startsWith(root)) {
    try {
      await fs.rmdir(dir);
    } catch (error) {
      if (!['ENOTEMPTY', 'EEXIST', 'ENOENT'].includes(errno(error) ?? '')) throw error;
      break;
    }
    dir = dirname(dir);
  }
  if (durable) await syncDirectory(fs, dir).catch((error: unknown) => {
    if (errno(error) !== 'ENOENT') throw error;
  });
}

const LOCK_LEFTOVER = /^\.(\d+)\.[0-9a-f]+\.(tmp|stale)$/;

/**
 * Deletes what writers that no longer run left behind: every file of `tmpDirectory` (call it
 * holding the lock: only the holder writes there), and the lock's staging and moved-aside files
 * (`<lock>.<pid>.<hex>.tmp|stale`) of dead processes or older than `maxAgeMs`.
 */
export async function sweepLeftovers(fs: FileStoreFs, tmpDirectory: string, lockFile: string, maxAgeMs: number): Promise<void> {
  const quiet = (error: unknown): void => {
    if (errno(error) !== 'ENOENT') throw error;
  };
  const temps = await fs.readdir(tmpDirectory).catch((error: unknown) => (quiet(error), [] as string[]));
  for (const name of temps) await fs.unlink(join(tmpDirectory, name)).catch(quiet);
  const base = lockFile.slice(dirname(lockFile).length + 1);
  for (const name of await fs.readdir(dirname(lockFile))) {
    const m = name.startsWith(base) ? LOCK_LEFTOVER.exec(name.slice(base.length)) : null;
    if (m === null) continue;
    const file = join(dirname(lockFile), name);
    try {
      const old = Date.now() - (await fs.stat(file)).mtimeMs > maxAgeMs;
      if (old || (Number(m[1]) !== process.pid && !isProcessAlive(Number(m[1])))) await fs.unlink(file);
    } catch (error) {
      quiet(error);
    }
  }
}
