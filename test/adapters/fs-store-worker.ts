// A separate process sharing a file store with the test (spawned by fs-store.test.ts with
// `node --import tsx`). Usage: fs-store-worker.ts <directory> <mode> <id> [count]
//   increment: once <directory>/go exists, `count` read-modify-write increments of `counter`,
//              retried on conflict
//   churn:     rewrite `pair/a` and `pair/b` (with a large payload) together, create `gen/<n>`
//              and delete `gen/<n - 1>` in the same commit, forever
//   hold:      take the store's lock and keep it
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isCemError } from '../../src/errors.js';
import { createFileStore } from '../../src/adapters/fs-store/index.js';
import { acquireLock } from '../../src/adapters/fs-store/lock.js';
import type { CemStore } from '../../src/ports/store.js';

const [directory = '', mode = '', id = 'w', countText = '0'] = process.argv.slice(2);
const store = createFileStore({ directory, lockTimeoutMs: 30_000 });

async function increment(s: CemStore, count: number): Promise<void> {
  // Start together: wait for the test to create <directory>/go once every worker is up.
  process.stdout.write('waiting\n');
  while (!existsSync(join(directory, 'go'))) await new Promise((r) => setTimeout(r, 2));
  let conflicts = 0;
  for (let i = 0; i < count; i++) {
    for (;;) {
      const rec = await s.get('counter');
      try {
        await s.commit([
          { key: 'counter', expectedVersion: rec?.version ?? null, value: ((rec?.value as number | undefined) ?? 0) + 1 },
          { key: `log/${id}/${String(i).padStart(4, '0')}`, expectedVersion: null, value: i },
        ]);
        break;
      } catch (error) {
        if (!isCemError(error, 'CEM_STORE_CONFLICT')) throw error;
        conflicts++;
      }
    }
  }
  process.stdout.write(`${JSON.stringify({ id, conflicts })}\n`);
}

/** The key churn creates in round `n` (and deletes in round `n + 1`). */
function genKey(n: number): string {
  return `gen/${String(n).padStart(6, '0')}`;
}

async function churn(s: CemStore): Promise<void> {
  const payload = 'x'.repeat(1 << 18);
  for (let round = 0; ; round++) {
    const [a, b] = [await s.get('pair/a'), await s.get('pair/b')];
    const n = ((a?.value as { n?: number } | undefined)?.n ?? 0) + 1;
    const previous = await s.get(genKey(n - 1));
    await s.commit([
      { key: 'pair/a', expectedVersion: a?.version ?? null, value: { n, payload } },
      { key: genKey(n), expectedVersion: null, value: n },
      ...(previous === undefined ? [] : [{ key: genKey(n - 1), expectedVersion: previous.version, value: null }]),
      { key: 'pair/b', expectedVersion: b?.version ?? null, value: { n, payload } },
    ]);
    if (round === 0) process.stdout.write('ready\n');
  }
}

async function hold(): Promise<void> {
  await acquireLock(join(directory, 'lock'), { timeoutMs: 5_000, staleMs: 600_000 });
  process.stdout.write('locked\n');
  setInterval(() => undefined, 1_000);
}

const run = mode === 'increment' ? increment(store, Number(countText)) : mode === 'churn' ? churn(store) : hold();
run.catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
