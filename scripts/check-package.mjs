// Checks that package.json#exports, the tsup entries and the built files agree, and that the
// built entry points load in both module systems. Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

// An adapter's third-party dependency is loaded only by its own subpath: the package root and
// every other subpath (and the CLI) must load without it, in both module systems. Each subpath is
// loaded in a fresh process whose ESM resolver refuses those packages and whose CommonJS module
// cache is then searched for them. The owning subpath must trip the check (so the check works).
const adapterDependencies = { './adapters/smtp': ['nodemailer'], './adapters/postgres': ['pg'], './adapters/as2': ['pkijs', 'asn1js'] };
// Adapters that take the client from the host (the postgres store takes a pg pool) never load it themselves.
const ownerNeverLoads = new Set(['./adapters/postgres']);
const hooks = join(mkdtempSync(join(tmpdir(), 'check-package-')), 'hooks.mjs');
writeFileSync(hooks, `const banned = JSON.parse(process.env.CHECK_PACKAGE_BANNED);
export async function resolve(specifier, context, next) {
  if (banned.some((b) => specifier === b || specifier.startsWith(b + '/'))) throw new Error('loaded ' + specifier);
  return next(specifier, context);
}
`);
const probe = `
import { register, createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
const [hooks, esm, cjs] = process.argv.slice(1);
register(pathToFileURL(hooks).href);
const found = [];
try { await import(pathToFileURL(esm).href); } catch (e) { found.push('import: ' + e.message); }
const require = createRequire(import.meta.url);
try { require(cjs); } catch (e) { found.push('require: ' + e.message); }
const banned = JSON.parse(process.env.CHECK_PACKAGE_BANNED);
for (const key of Object.keys(require.cache)) {
  for (const b of banned) if (key.includes('/node_modules/' + b + '/')) found.push('require: loaded ' + key);
}
console.log(JSON.stringify(found));
`;
function loads(esm, cjs, banned) {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe, hooks, esm, cjs], {
    env: { ...process.env, CHECK_PACKAGE_BANNED: JSON.stringify(banned) },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop());
}
if (problems.length === 0) {
  for (const [owner, banned] of Object.entries(adapterDependencies)) {
    for (const s of subpaths) {
      const found = loads(join(root, pkg.exports[s].import.default), join(root, pkg.exports[s].require.default), banned);
      if (s === owner && !ownerNeverLoads.has(owner) && found.length < 2) problems.push(`${s}: the dependency check did not see ${banned.join(', ')} (${found.join('; ') || 'nothing'})`);
      if (s !== owner && found.length > 0) problems.push(`${s} loads ${owner}'s dependency: ${found.join('; ')}`);
    }
    // The CLI runs when loaded: its static import graph is read instead (a command may load an
    // adapter with a dynamic import when it is run, as `cem as2` does).
    const seen = new Set();
    const visit = (file) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:^|[;\s])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[;\s])import\s*['"]([^'"]+)['"]/g)) {
        const spec = m[1] ?? m[2];
        if (spec.startsWith('.')) visit(join(dirname(file), spec));
        else if (banned.some((b) => spec === b || spec.startsWith(b + '/'))) problems.push(`the cem bin loads ${owner}'s dependency ${spec} (from ${file})`);
      }
    };
    visit(join(root, pkg.bin.cem));
    if (seen.size < 2) problems.push('the cem bin imports no library chunk (is it bundling its own copy?)');
  }
}

if (problems.length > 0) {
  console.error(problems.map((p) => `check-package: ${p}`).join('\n'));
  process.exit(1);
}
console.log(`check-package: ${subpaths.length} subpaths OK (ESM, CJS, types), bin OK, adapter dependencies loaded only by their subpath`);
