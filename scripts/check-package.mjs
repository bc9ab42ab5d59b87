// Checks that package.json#exports, the tsup entries and the built files agree, and that the
// built entry points load in both module systems. Run after `npm run build`.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const tsupSource = readFileSync(join(root, 'tsup.config.ts'), 'utf8');
const entryBlock = tsupSource.match(/export const entries[^{]*\{([\s\S]*?)\n\};/);
if (!entryBlock) throw new Error('tsup.config.ts: entries not found');
const entries = [...entryBlock[1].matchAll(/'([^']+)':\s*'([^']+)'|(\w+):\s*'([^']+)'/g)].map((m) => m[1] ?? m[3]);

const problems = [];
const subpaths = Object.keys(pkg.exports).filter((k) => k !== './package.json');
const expected = new Set(entries.map((e) => (e === 'index' ? '.' : `./${e}`)));
for (const s of subpaths) if (!expected.has(s)) problems.push(`exports has ${s} but tsup has no entry for it`);
for (const s of expected) if (!subpaths.includes(s)) problems.push(`tsup entry ${s} is missing from exports`);

const require = createRequire(import.meta.url);
for (const s of subpaths) {
  const spec = pkg.exports[s];
  for (const [cond, file] of [
    ['import', spec.import.default],
    ['import types', spec.import.types],
    ['require', spec.require.default],
    ['require types', spec.require.types],
  ]) {
    if (!existsSync(join(root, file))) problems.push(`${s} (${cond}): ${file} was not built`);
  }
  if (problems.length === 0) {
    const esm = await import(pathToFileURL(join(root, spec.import.default)).href);
    const cjs = require(join(root, spec.require.default));
    const a = Object.keys(esm).sort().join(',');
    const b = Object.keys(cjs).sort().join(',');
    if (a !== b) problems.push(`${s}: ESM and CJS export different names`);
    if (Object.keys(esm).length === 0) problems.push(`${s}: exports nothing`);
  }
}
// Dual-package hazard: an error made by one build must be recognised by the other (the engine
// retries CEM_STORE_CONFLICT from a store adapter that may be compiled to CommonJS).
if (problems.length === 0) {
  const esm = await import(pathToFileURL(join(root, pkg.exports['.'].import.default)).href);
  const cjs = require(join(root, pkg.exports['.'].require.default));
  const fromCjs = new cjs.CemEngineError('CEM_STORE_CONFLICT', 'made by the CommonJS build');
  const fromEsm = new esm.CemEngineError('CEM_STORE_CONFLICT', 'made by the ESM build');
  const checks = [
    ['ESM isCemError(CJS error)', esm.isCemError(fromCjs), true],
    ['ESM isCemError(CJS error, its code)', esm.isCemError(fromCjs, 'CEM_STORE_CONFLICT'), true],
    ['ESM isCemError(CJS error, another code)', esm.isCemError(fromCjs, 'CEM_PORT_FAILED'), false],
    ['CJS isCemError(ESM error, its code)', cjs.isCemError(fromEsm, 'CEM_STORE_CONFLICT'), true],
    ['ESM isCemError(plain object with the code)', esm.isCemError({ code: 'CEM_STORE_CONFLICT' }), false],
    ['ESM isCemError(plain Error)', esm.isCemError(new Error('x')), false],
  ];
  for (const [what, actual, expected] of checks) if (actual !== expected) problems.push(`${what} is ${actual}, expected ${expected}`);
}
if (!existsSync(join(root, pkg.bin.cem))) problems.push(`bin ${pkg.bin.cem} was not built`);

if (problems.length > 0) {
  console.error(problems.map((p) => `check-package: ${p}`).join('\n'));
  process.exit(1);
}
console.log(`check-package: ${subpaths.length} subpaths OK (ESM, CJS, types), bin OK`);
