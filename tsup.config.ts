import { defineConfig } from 'tsup';

/**
 * One entry per public subpath. `scripts/check-exports.mjs` fails the build when this list and
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
  'adapters/as2': 'src/adapters/as2/index.ts',
};

export default defineConfig([
  {
    entry: entries,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: true,
    treeshake: true,
  },
  {
    entry: { 'cli/bin': 'src/cli/bin.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
