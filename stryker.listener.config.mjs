// Focused mutation runs of the listener consensus and its tally against their unit, lifecycle and
// engine tests (vitest.mutate-listener.config.ts), about 12 minutes on one core:
//   npx stryker run stryker.listener.config.mjs --mutate src/state/indexes/listener-tally.ts,src/policy/server-consensus.ts --concurrency 1
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: 'vitest.mutate-listener.config.ts' },
  timeoutMS: 20_000,
};
