import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileStore } from '../../src/adapters/fs-store/index.js';
import { runStoreContract } from '../../src/testing/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKER = fileURLToPath(new URL('./fs-store-worker.ts', import.meta.url));
const children: ChildProcess[] = [];

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), 'cem-fs-store-'));
}

function startWorker(directory: string, mode: string, id = 'w', count = 0): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, directory, mode, id, String(count)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

/** Resolves with the child's stdout once it prints `line` (or exits). */
function waitForLine(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.split('\n').includes(line)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`worker exited (${code}) before "${line}": ${err}`)));
  });
}

function finish(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`worker failed (${code}): ${err}`))));
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.on('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

afterEach(async () => {
  await Promise.all(children.splice(0).map(kill));
});

runStoreContract({ describe, it }, () => createFileStore({ directory: freshDir() }), { name: 'file store' });

describe('createFileStore', () => {
  it('keeps records across store instances, in one readable document', async () => {
    const directory = freshDir();
    await createFileStore({ directory }).commit([{ key: 'rel/acme', expectedVersion: null, value: { due: '2025-03-01' } }]);
    const again = createFileStore({ directory });
    expect(await again.get('rel/acme')).toEqual({ key: 'rel/acme', version: 1, value: { due: '2025-03-01' } });
    const doc = JSON.parse(readFileSync(again.file, 'utf8')) as { records: Record<string, unknown> };
    expect(doc.records['rel/acme']).toEqual({ version: 1, value: { due: '2025-03-01' } });
  });

  it('reads a missing directory as an empty store and creates it on the first commit', async () => {
    const store = createFileStore({ directory: join(freshDir(), 'not', 'yet') });
    expect(await store.list('')).toEqual([]);
    await store.commit([{ key: 'k', expectedVersion: null, value: 1 }]);
    expect((await store.get('k'))?.version).toBe(1);
  });

  it('rejects a document that is not a store with CEM_PORT_FAILED', async () => {
    const directory = freshDir();
    writeFileSync(join(directory, 'cem-store.json'), '{"something":"else"}');
    const store = createFileStore({ directory });
    await expect(store.get('k')).rejects.toMatchObject({ code: 'CEM_PORT_FAILED' });
    await expect(store.commit([{ key: 'k', expectedVersion: null, value: 1 }])).rejects.toMatchObject({ code: 'CEM_PORT_FAILED' });
    expect(readFileSync(join(directory, 'cem-store.json'), 'utf8')).toBe('{"something":"else"}');
  });

  it('refuses a file name with a path separator with CEM_ARGUMENT', () => {
    expect(() => createFileStore({ directory: freshDir(), fileName: 'a/b.json' })).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
    expect(() => createFileStore({ directory: freshDir(), lockTimeoutMs: 0 })).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
  });
});

describe('file store shared by processes', () => {
  it('loses no increment when two processes commit to one counter at once', async () => {
    const directory = freshDir();
    const count = 60;
    const workers = ['p1', 'p2'].map((id) => startWorker(directory, 'increment', id, count));
    const done = workers.map(finish);
    await Promise.all(workers.map((w) => waitForLine(w, 'waiting')));
    writeFileSync(join(directory, 'go'), '');
    const results = (await Promise.all(done)).map((out) => out.split('\n').filter((l) => l.startsWith('{')).join(''));
    const store = createFileStore({ directory });
    expect((await store.get('counter'))?.value).toBe(2 * count);
    expect((await store.get('counter'))?.version).toBe(2 * count);
    expect(await store.list('log/p1/')).toHaveLength(count);
    expect(await store.list('log/p2/')).toHaveLength(count);
    // Evidence they really raced: the version check turned some attempts away.
    const conflicts = results.map((r) => (JSON.parse(r) as { conflicts: number }).conflicts);
    expect(conflicts.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('waits for a live lock holder, failing with CEM_PORT_FAILED when it holds on too long', async () => {
    const directory = freshDir();
    const holder = startWorker(directory, 'hold');
    await waitForLine(holder, 'locked');
    const store = createFileStore({ directory, lockTimeoutMs: 300 });
    const started = Date.now();
    await expect(store.commit([{ key: 'k', expectedVersion: null, value: 1 }])).rejects.toMatchObject({ code: 'CEM_PORT_FAILED' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await kill(holder);
    await store.commit([{ key: 'k', expectedVersion: null, value: 1 }]);
    expect((await store.get('k'))?.value).toBe(1);
  });

  it('breaks the lock of a writer that was killed while holding it', async () => {
    const directory = freshDir();
    const holder = startWorker(directory, 'hold');
    await waitForLine(holder, 'locked');
    await kill(holder);
    expect(readdirSync(directory)).toContain('cem-store.json.lock');
    const store = createFileStore({ directory, lockTimeoutMs: 2_000 });
    await store.commit([{ key: 'after', expectedVersion: null, value: true }]);
    expect(await store.get('after')).toMatchObject({ value: true });
    expect(readdirSync(directory)).not.toContain('cem-store.json.lock');
  });

  it('breaks a lock older than staleLockMs even when its owner looks alive', async () => {
    const directory = freshDir();
    const lock = join(directory, 'cem-store.json.lock');
    writeFileSync(lock, JSON.stringify({ pid: process.pid, hostname: hostname(), nonce: 'x' }));
    const store = createFileStore({ directory, lockTimeoutMs: 5_000, staleLockMs: 200 });
    await store.commit([{ key: 'k', expectedVersion: null, value: 1 }]);
    expect((await store.get('k'))?.version).toBe(1);
  });

  it('never leaves a torn store when writers are killed mid-run, even mid-write', async () => {
    const directory = freshDir();
    const store = createFileStore({ directory, lockTimeoutMs: 5_000 });
    const writing = (f: string): boolean => f.startsWith('cem-store.json.') && f.endsWith('.tmp') && !f.includes('.lock.');
    let last = 0;
    let killedMidWrite = 0;
    for (let round = 0; round < 10; round++) {
      const writer = startWorker(directory, 'churn');
      await waitForLine(writer, 'ready');
      // Even rounds: kill as soon as a new document is being written. Odd rounds: kill at some moment.
      const midWrite = round % 2 === 0;
      const until = Date.now() + (midWrite ? 5_000 : 5 + ((round * 37) % 300));
      while (Date.now() < until && !(midWrite && readdirSync(directory).some(writing))) await new Promise((r) => setImmediate(r));
      await kill(writer);
      if (readdirSync(directory).some(writing)) killedMidWrite++;
      const [a, b] = [await store.get('pair/a'), await store.get('pair/b')];
      const n = (a?.value as { n: number }).n;
      expect((b?.value as { n: number }).n).toBe(n);
      expect(a?.version).toBe(n);
      expect(n).toBeGreaterThan(last);
      // The next writer gets in although the killed one may have held the lock, and sweeps up.
      await store.commit([
        { key: 'pair/a', expectedVersion: n, value: { n: n + 1 } },
        { key: 'pair/b', expectedVersion: n, value: { n: n + 1 } },
      ]);
      last = n + 1;
      expect(readdirSync(directory).filter((f) => f.endsWith('.tmp') || f.endsWith('.stale') || f.endsWith('.lock'))).toEqual([]);
    }
    expect(killedMidWrite).toBeGreaterThanOrEqual(3);
  }, 90_000);
});
