import { defineConfig } from 'vitest/config';

/**
 * Every test on the memory store, and the engine behaviour suites that use only the store port a
 * second time on the PostgreSQL store (`engine-on-postgres`): on the server `CEM_TEST_PG_URL`
 * names (`scripts/test-postgres.sh` and `.ci/run` set it), or on PGlite in process without one.
 */
const common = { testTimeout: 30_000, hookTimeout: 60_000, pool: 'forks' as const, setupFiles: ['test/helpers/property-seed.ts'] };
// The suites that read the store only through the port (the others inspect the memory store's records).
const onPostgres = [
  'test/engine/inbound.test.ts', 'test/engine/outbound.test.ts', 'test/engine/recovery.test.ts', 'test/engine/schedule.test.ts',
  'test/engine/servers.test.ts', 'test/engine/traffic.test.ts', 'test/engine/store-calls.test.ts', 'test/engine/concurrency.test.ts',
];

export default defineConfig({
  test: {
    projects: [
      { test: { ...common, name: 'all', include: ['test/**/*.test.ts'] } },
      { test: { ...common, name: 'engine-on-postgres', include: onPostgres, env: { CEM_TEST_ENGINE_STORE: 'postgres' } } },
    ],
  },
});
