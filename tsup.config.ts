import { defineConfig } from 'tsup';

/**
 * One entry per public subpath. `scripts/check-package.mjs` fails the build when this list and
 * package.json#exports disagree.
 */
export const entries: Record<string, string> = {
  index: 'src/index.ts',
  messages: 'src/messages/index.ts',
  crypto: 'src/crypto/index.ts',
  state: 'src/state/index.ts',
  policy: 'src/policy/index.ts',
  testing: 'src/testing/index.ts',
  'adapters/fs-store': 'src/adapters/fs-store/index.ts',
  'adapters/smtp': 'src/adapters/smtp/index.ts',
  'adapters/postgres': 'src/adapters/postgres/index.ts',

  'adapters/as2': 'src/adapters/as2/index.ts',
};

// The published package carries no source maps: the JavaScript is not minified (stack traces
// read as they are) and maps without the TypeScript sources would point at files the package
// does not ship. `npm run build` removes dist/ first (the two builds run in parallel, so neither
// cleans). The `cem` CLI is built with the ESM library and imports its chunks instead of
// bundling a copy of the library.
const common = { target: 'node20', platform: 'node', splitting: true, treeshake: true, sourcemap: false, clean: false } as const;

export default defineConfig([
  {
    ...common,
    entry: { ...entries, 'cli/bin': 'src/cli/bin.ts' },
    format: ['esm'],
    dts: { entry: entries },
  },
  {
    ...common,
    entry: entries,
    format: ['cjs'],
    dts: { entry: entries },
  },
]);
