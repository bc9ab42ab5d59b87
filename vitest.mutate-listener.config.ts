/**
 * The test subset of focused mutation runs of the listener consensus and its tally
 * (`stryker.listener.config.mjs`: `src/state/indexes/listener-tally.ts`,
 * `src/policy/server-consensus.ts`): their unit tests, the lifecycle tests that settle a
 * listener, and the engine tests that run the tally through the store (rollovers, store calls,
 * fault injection). Not a subset of `npm run mutate` (which runs no engine test).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/state/listener-tally.test.ts',
      'test/policy/**/*.test.ts',
      'test/state/tick.test.ts',
      'test/state/scheduling.test.ts',
      'test/state/outbound-response.test.ts',
      'test/engine/servers.test.ts',
      'test/engine/store-calls.test.ts',
      'test/engine/faults.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['test/helpers/property-seed.ts'],
  },
});
