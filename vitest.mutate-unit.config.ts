/**
 * A faster test subset for focused mutation runs of the policy and distinguished-name code
 * (`npx stryker run stryker.unit.config.mjs --mutate <files>`): only the unit tests of those
 * files. Scores measured with it are lower bounds of `npm run mutate` (fewer tests run).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/policy/**/*.test.ts', 'test/crypto/dn*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['test/helpers/property-seed.ts'],
  },
});
