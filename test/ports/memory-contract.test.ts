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
import type { CemStore } from '../../src/ports/store.js';

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
