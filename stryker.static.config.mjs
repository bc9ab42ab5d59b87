// The mutants `npm run mutate` ignores as static (code that runs while a module loads, such as
// module-level constant tables): each is tested against the whole test subset in a fresh process.
// Narrow it to the lines that hold them, e.g.
//   npx stryker run stryker.static.config.mjs --mutate src/crypto/internal/dn-attributes.ts:20-90
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default { ...base, ignoreStatic: false };
