import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileStore } from '../../src/adapters/fs-store/index.js';
import { runStoreContract } from '../../src/testing/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKER = fileURLToPath(new URL('./fs-store-worker.ts', import.meta.url));
const children: ChildProcess[] = [];
/** Kill rounds of the kill -9 test (CEM_FS_KILL_ROUNDS=200 for a long run). */
const ROUNDS = Number(process.env.CEM_FS_KILL_ROUNDS ?? 12);
const gen = (n: number): string => `gen/${String(n).padStart(6, '0')}`;

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
  it('keeps records across store instances, one readable file per record', async () => {
    const directory = freshDir();
    await createFileStore({ directory }).commit([{ key: 'rel/Acme', expectedVersion: null, value: { due: '2025-03-01' } }]);
    const again = createFileStore({ directory });
    expect(again.directory).toBe(directory);
    expect(await again.get('rel/Acme')).toEqual({ key: 'rel/Acme', version: 1, value: { due: '2025-03-01' } });
    const file = JSON.parse(readFileSync(join(directory, 'records', 'rel', '%41cme='), 'utf8')) as unknown;
    expect(file).toEqual({ version: 1, key: 'rel/Acme', value: { due: '2025-03-01' } });
    expect(JSON.parse(readFileSync(join(directory, 'format.json'), 'utf8'))).toEqual({ format: 'ediint-cem-fs-store', version: 2 });
  });

  it('reads a missing directory as an empty store and creates it on the first commit', async () => {
    const store = createFileStore({ directory: join(freshDir(), 'not', 'yet') });
    expect(await store.list('')).toEqual([]);
    expect(await store.get('k')).toBeUndefined();
    await store.commit([{ key: 'k', expectedVersion: null, value: 1 }]);
    expect((await store.get('k'))?.version).toBe(1);
  });

  it('refuses an empty directory or a non-positive timeout with CEM_ARGUMENT', () => {
    expect(() => createFileStore({ directory: '' })).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
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
    expect(readdirSync(directory)).toContain('lock');
    const store = createFileStore({ directory, lockTimeoutMs: 2_000 });
    await store.commit([{ key: 'after', expectedVersion: null, value: true }]);
    expect(await store.get('after')).toMatchObject({ value: true });
    expect(readdirSync(directory)).not.toContain('lock');
  });

  it('breaks a lock older than staleLockMs even when its owner looks alive', async () => {
    const directory = freshDir();
    const lock = join(directory, 'lock');
    writeFileSync(lock, JSON.stringify({ pid: process.pid, hostname: hostname(), nonce: 'x' }));
    const store = createFileStore({ directory, lockTimeoutMs: 5_000, staleLockMs: 200 });
    await store.commit([{ key: 'k', expectedVersion: null, value: 1 }]);
    expect((await store.get('k'))?.version).toBe(1);
  });

  it('never leaves a torn store when writers are killed mid-run, even mid-commit', async () => {
    const directory = freshDir();
    const store = createFileStore({ directory, lockTimeoutMs: 5_000 });
    const journal = join(directory, 'journal.json');
    const leftovers = (): string[] => [
      ...readdirSync(directory).filter((f) => f.endsWith('.tmp') || f.endsWith('.stale') || f === 'lock' || f === 'journal.json'),
      ...(existsSync(join(directory, 'tmp')) ? readdirSync(join(directory, 'tmp')) : []),
    ];
    let last = 0;
    let killedMidCommit = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const writer = startWorker(directory, 'churn');
      await waitForLine(writer, 'ready');
      // Even rounds: kill once a journal is written (after the commit point, while the records are
      // replaced). Odd rounds: kill at some moment.
      const midCommit = round % 2 === 0;
      const until = Date.now() + (midCommit ? 5_000 : 5 + ((round * 37) % 300));
      while (Date.now() < until && !(midCommit && existsSync(journal))) await new Promise((r) => setImmediate(r));
      await kill(writer);
      if (existsSync(journal)) killedMidCommit++;
      // A fresh instance (replays the journal on its first read) and the long-lived one agree.
      for (const reader of [createFileStore({ directory }), store]) {
        const [a, b] = [await reader.get('pair/a'), await reader.get('pair/b')];
        const n = (a?.value as { n: number }).n;
        expect((b?.value as { n: number }).n).toBe(n);
        expect([a?.version, b?.version]).toEqual([n, n]);
        expect(n).toBeGreaterThan(last);
        expect((await reader.list('gen/')).map((r) => [r.key, r.value])).toEqual([[gen(n), n]]);
      }
      const n = ((await store.get('pair/a'))?.value as { n: number }).n;
      // The next writer gets in although the killed one may have held the lock, and sweeps up.
      await store.commit([
        { key: 'pair/a', expectedVersion: n, value: { n: n + 1 } },
        { key: 'pair/b', expectedVersion: n, value: { n: n + 1 } },
        { key: gen(n), expectedVersion: 1, value: null },
        { key: gen(n + 1), expectedVersion: null, value: n + 1 },
      ]);
      last = n + 1;
      expect(leftovers()).toEqual([]);
    }
    if (process.env.CEM_FS_KILL_ROUNDS !== undefined) console.log(`${ROUNDS} kills, ${killedMidCommit} after the commit point`);
    expect(killedMidCommit).toBeGreaterThanOrEqual(Math.min(3, ROUNDS / 4));
  }, 60_000 + ROUNDS * 3_000);
});
