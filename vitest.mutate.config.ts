/**
 * The test subset `npm run mutate` (Stryker) runs against each mutant: the unit tests of the
 * pure core (state, policy, xs:dateTime, distinguished names). Engine and adapter tests are left
 * out, and the lifecycle property tests run 25 random sequences each instead of 200–300
 * (`CEM_PROPERTY_RUNS`, overridable): they cover nearly every line of `src/state`, so every
 * surviving mutant pays for them. With both, the whole scope (about 6,300 mutants) fits in well
 * under an hour on two cores.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/state/**/*.test.ts',
      'test/policy/**/*.test.ts',
      'test/messages/datetime*.test.ts',
      'test/crypto/dn*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['test/helpers/property-seed.ts'],
    env: {
      CEM_PROPERTY_RUNS: process.env['CEM_PROPERTY_RUNS'] ?? '25',
      // One seed for every mutant, so two runs of the same code give the same score.
      CEM_PROPERTY_SEED: process.env['CEM_PROPERTY_SEED'] ?? '20261205',
    },
  },
});
