/**
 * The test subset of focused mutation runs of `src/state` (`stryker.state.config.mjs`): the
 * lifecycle unit tests without the property tests (`test/state/properties.test.ts`, which take
 * about half a minute and cover nearly every line, so every surviving mutant would pay for them).
 * A mutant killed here is killed by `npm run mutate` too: the score is a lower bound.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/state/**/*.test.ts'],
    exclude: ['test/state/properties.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['test/helpers/property-seed.ts'],
  },
});
