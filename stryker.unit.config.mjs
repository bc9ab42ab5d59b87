// Focused mutation runs of src/policy and the DN code against their unit tests only
// (vitest.mutate-unit.config.ts): minutes instead of hours, and a lower bound of the score of
// `npm run mutate`. Example:
//   npx stryker run stryker.unit.config.mjs --mutate src/policy/resolution.ts --concurrency 1
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: 'vitest.mutate-unit.config.ts' },
  timeoutMS: 10_000,
};
