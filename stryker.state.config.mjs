// Focused mutation runs of src/state against the lifecycle unit tests without the property tests
// (vitest.mutate-state.config.ts): minutes per file instead of an hour, and a lower bound of the
// score of `npm run mutate`. Example:
//   npx stryker run stryker.state.config.mjs --mutate src/state/exchange/inbound-request.ts --concurrency 1
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: 'vitest.mutate-state.config.ts' },
  timeoutMS: 10_000,
};
