// Mutation testing of the pure core: `npm run mutate` (under an hour on two cores for the whole scope);
// narrow it with `npm run mutate -- --mutate src/messages/datetime.ts,src/policy/deadlines.ts`.
// Not run in CI. Reports go to reports/mutation/ (gitignored).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts' },
  mutate: [
    'src/policy/**/*.ts',
    'src/state/**/*.ts',
    'src/messages/datetime.ts',
    'src/crypto/dn*.ts',
    'src/crypto/internal/dn-*.ts',
    '!src/**/index.ts',
  ],
  coverageAnalysis: 'perTest',
  // Mutants run only while a module loads (module-level constant tables, about 5% of the mutants)
  // cannot be switched on per test: each would need the whole subset in a fresh process, which
  // would more than double the run. They are reported as Ignored; run them with
  // `npm run mutate -- --ignoreStatic false --mutate <file>`. Mutants that also run inside a test
  // are tested as usual.
  ignoreStatic: true,
  concurrency: 2,
  // The subset runs in about 3 s; an infinite loop a mutant makes costs this much on top.
  timeoutMS: 5_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 95, low: 90, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
