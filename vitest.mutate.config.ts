/**
 * The test subset `npm run mutate` (Stryker) runs against each mutant: the unit tests of the
 * pure core (state, policy, xs:dateTime, distinguished names). Engine and adapter tests are left
 * out so a mutation run stays within hours on two cores.
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
  },
});
