import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/ports/clock.js';
import { createRandomIds } from '../../src/ports/ids.js';
import {
  createManualClock,
  createMemoryStore,
  createMemoryTransport,
  createSequentialIds,
  runClockContract,
  runIdSourceContract,
  runStoreContract,
  runTransportContract,
} from '../../src/testing/index.js';
import { cloneJson, type JsonValue } from '../../src/ports/json.js';
import { assertListOptions, assertStoreKey, assertStoreWrites, keyInRange, storeConflict, type CemStore, type StoreWrite } from '../../src/ports/store.js';

runStoreContract({ describe, it }, () => createMemoryStore(), { name: 'memory store' });

runTransportContract(
  { describe, it },
  {
    name: 'memory transport',
    create: () => createMemoryTransport(),
    createFailing: () => {
      const transport = createMemoryTransport();
      transport.failWhen(() => true);
      return transport;
    },
  },
);

runClockContract({ describe, it }, () => createManualClock(new Date('2025-01-01T00:00:00Z')), 'manual clock');
runClockContract({ describe, it }, () => systemClock, 'system clock');
runIdSourceContract({ describe, it }, () => createSequentialIds(), 'sequential ids');
runIdSourceContract({ describe, it }, () => createRandomIds({ domain: 'as2.example.test' }), 'random ids');

/** Runs the store contract against `factory`, collecting each test's outcome. */
async function runAgainst(factory: () => CemStore): Promise<Array<{ name: string; ok: boolean; error?: unknown }>> {
  const outcomes: Array<{ name: string; ok: boolean; error?: unknown }> = [];
  const pending: Array<Promise<void>> = [];
  runStoreContract(
    {
      describe: (_name, body) => body(),
      it: (name, body) => {
        pending.push(body().then(() => void outcomes.push({ name, ok: true }), (error: unknown) => void outcomes.push({ name, ok: false, error })));
      },
    },
    factory,
  );
  await Promise.all(pending);
  return outcomes;
}

/** A database-like store: row locks on existing rows held to the end of the commit, a primary key. */
function lockThenInsertStore(options: { onConflictDoNothing?: boolean } = {}): { fresh(): CemStore } {
  return {
    fresh() {
      const rows = new Map<string, { version: number; value: JsonValue }>();
      const locks = new Map<string, Promise<void>>();
      const pause = (): Promise<void> => new Promise((r) => setImmediate(r));
      return {
        get: async (key) => {
          assertStoreKey(key);
          const row = rows.get(key);
          return row === undefined ? undefined : { key, version: row.version, value: cloneJson(row.value) };
        },
        list: async (prefix, range) => {
          assertListOptions(range);
          const found = [...rows].filter(([k]) => keyInRange(k, prefix, range)).sort(([a], [b]) => (a < b ? -1 : 1));
          return found.slice(0, range?.limit ?? found.length).map(([key, row]) => ({ key, version: row.version, value: cloneJson(row.value) }));
        },
        commit: async (writes) => {
          assertStoreWrites(writes);
          const held: Array<() => void> = [];
          const staged: StoreWrite[] = [];
          try {
            for (const w of [...writes].sort((x, y) => (x.key < y.key ? -1 : 1))) {
              await pause();
              if (rows.has(w.key)) {
                // select ... for update: wait for the row's lock, then hold it.
                for (let lock = locks.get(w.key); lock !== undefined; lock = locks.get(w.key)) await lock;
                let release: () => void = () => undefined;
                locks.set(w.key, new Promise<void>((r) => { release = r; }));
                held.push(() => { locks.delete(w.key); release(); });
              }
              const current = rows.get(w.key)?.version ?? null;
              if (current !== w.expectedVersion) throw storeConflict(w.key, w.expectedVersion, current);
              staged.push(w);
            }
            await pause();
            for (const w of staged) {
              if (w.expectedVersion === null && w.value !== null && rows.has(w.key)) {
                if (options.onConflictDoNothing) throw storeConflict(w.key, null, rows.get(w.key)?.version ?? null);
                throw Object.assign(new Error('duplicate key value violates unique constraint "cem_records_pkey"'), { code: '23505' });
              }
            }
            for (const w of staged) {
              if (w.value === null) rows.delete(w.key);
              else rows.set(w.key, { version: (w.expectedVersion ?? 0) + 1, value: cloneJson(w.value) });
            }
          } finally {
            for (const release of held) release();
          }
        },
      };
    },
  };
}

describe('store contract suite', () => {
  it('fails against a store that skips the version check', async () => {
    // A broken adapter must not pass: the suite is only worth running if it can fail.
    const records = new Map<string, { key: string; version: number; value: never }>();
    const broken: CemStore = {
      get: async (key) => records.get(key),
      list: async (prefix) => [...records.values()].filter((r) => r.key.startsWith(prefix)),
      commit: async (writes) => {
        for (const w of writes) {
          if (w.value === null) records.delete(w.key);
          else records.set(w.key, { key: w.key, version: (records.get(w.key)?.version ?? 0) + 1, value: w.value as never });
        }
      },
    };
    const outcomes: Array<{ name: string; ok: boolean }> = [];
    const pending: Array<Promise<void>> = [];
    runStoreContract(
      {
        describe: (_name, body) => body(),
        it: (name, body) => {
          pending.push(body().then(() => void outcomes.push({ name, ok: true }), () => void outcomes.push({ name, ok: false })));
        },
      },
      () => broken,
    );
    await Promise.all(pending);
    expect(outcomes.length).toBeGreaterThan(10);
    expect(outcomes.filter((o) => !o.ok).map((o) => o.name)).toContain('rejects a create of an existing key with CEM_STORE_CONFLICT');
  });

  it('fails against a store that checks versions with a row lock and then inserts (a missing row locks nothing)', async () => {
    // Simulates the `select ... for update` then `insert` adapter on a database: existing rows are
    // locked until the commit ends, a missing one is not, and a second insert of one key hits the
    // primary key: a unique-key violation, not CEM_STORE_CONFLICT.
    const store = lockThenInsertStore();
    const outcomes = await runAgainst(() => store.fresh());
    const failed = outcomes.filter((o) => !o.ok).map((o) => o.name);
    expect(failed).toEqual([expect.stringMatching(/^lets exactly one of 8 racing creates of one missing key win/)]);
    // The same store with creates as `insert ... on conflict do nothing` + row count passes.
    const fixed = lockThenInsertStore({ onConflictDoNothing: true });
    expect((await runAgainst(() => fixed.fresh())).filter((o) => !o.ok)).toEqual([]);
  });

  it('runs under node:test as well', async () => {
    const script = fileURLToPath(new URL('./node-test-contract.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
    });
    const pass = /^# pass (\d+)$/m.exec(stdout);
    const fail = /^# fail (\d+)$/m.exec(stdout);
    expect(Number(fail?.[1])).toBe(0);
    expect(Number(pass?.[1])).toBeGreaterThan(10);
  });
});
