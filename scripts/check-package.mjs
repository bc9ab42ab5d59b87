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
if (!existsSync(join(root, pkg.bin.cem))) problems.push(`bin ${pkg.bin.cem} was not built`);

// Third-party libraries of one adapter load only through its subpath: walk the static import
// graph of every other built ESM entry, and check what a CommonJS require of it actually loaded.
const ADAPTER_ONLY = { './adapters/as2': ['pkijs', 'asn1js'] };
const isBare = (spec) => !spec.startsWith('.') && !spec.startsWith('node:') && !spec.startsWith('/');
function esmGraph(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:^|[;\s}])(?:import|export)\s*(?:[^'"]*?from\s*)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const spec = m[1] ?? m[2];
    if (isBare(spec)) seen.add(`pkg:${spec}`);
    else if (spec.startsWith('.')) esmGraph(join(dirname(file), spec), seen);
  }
  return seen;
}
if (problems.length === 0) {
  const { execFileSync } = await import('node:child_process');
  for (const s of subpaths) {
    const forbidden = Object.entries(ADAPTER_ONLY).filter(([owner]) => owner !== s).flatMap(([, libs]) => libs);
    const graph = esmGraph(join(root, pkg.exports[s].import.default));
    for (const lib of forbidden) if (graph.has(`pkg:${lib}`)) problems.push(`${s} (ESM) imports ${lib}, which only its adapter's subpath may load`);
    const loaded = execFileSync(process.execPath, ['-e', `require(${JSON.stringify(join(root, pkg.exports[s].require.default))}); console.log(JSON.stringify(Object.keys(require.cache)))`], { encoding: 'utf8' });
    for (const lib of forbidden) if (JSON.parse(loaded).some((f) => f.includes(`/node_modules/${lib}/`))) problems.push(`${s} (CJS) loads ${lib}, which only its adapter's subpath may load`);
  }
  const own = esmGraph(join(root, pkg.exports['./adapters/as2'].import.default));
  if (!own.has('pkg:pkijs')) problems.push('./adapters/as2 does not import pkijs: the isolation check would prove nothing');
}

if (problems.length > 0) {
  console.error(problems.map((p) => `check-package: ${p}`).join('\n'));
  process.exit(1);
}
console.log(`check-package: ${subpaths.length} subpaths OK (ESM, CJS, types), bin OK`);
