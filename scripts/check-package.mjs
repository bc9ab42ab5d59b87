// Checks that package.json#exports, the tsup entries and the built files agree, and that the
// built entry points load in both module systems. Run after `npm run build`.
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
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

// An adapter's third-party dependency is loaded only by its own subpath: load every other subpath
// in a fresh process (ESM and CJS) and check that none of these packages was loaded.
const adapterPackages = { './adapters/postgres': ['pg'] }; // CommonJS packages: seen in require.cache
if (problems.length === 0) {
  for (const [owner, packages] of Object.entries(adapterPackages)) {
    const others = subpaths.filter((s) => s !== owner);
    for (const format of ['import', 'require']) {
      const files = others.map((s) => join(root, pkg.exports[s][format].default));
      const script = [
        "const { createRequire } = require('node:module');",
        `const files = ${JSON.stringify(files)};`,
        `const packages = ${JSON.stringify(packages)};`,
        '(async () => {',
        format === 'import' ? "  for (const f of files) await import(require('node:url').pathToFileURL(f).href);" : '  for (const f of files) require(f);',
        "  const loaded = Object.keys(require.cache).filter((f) => packages.some((p) => f.includes(`${require('node:path').sep}node_modules${require('node:path').sep}${p.replace('/', require('node:path').sep)}${require('node:path').sep}`)));",
        '  process.stdout.write(JSON.stringify(loaded));',
        '})().catch((e) => { console.error(e); process.exit(1); });',
      ].join('\n');
      const run = spawnSync(process.execPath, ['--input-type=commonjs', '-e', script], { cwd: root, encoding: 'utf8' });
      if (run.status !== 0) problems.push(`loading the subpaths other than ${owner} (${format}) failed: ${run.stderr}`);
      else if (run.stdout !== '[]') problems.push(`loading the subpaths other than ${owner} (${format}) loaded ${packages.join(' or ')}: ${run.stdout}`);
    }
  }
}

if (problems.length > 0) {
  console.error(problems.map((p) => `check-package: ${p}`).join('\n'));
  process.exit(1);
}
console.log(`check-package: ${subpaths.length} subpaths OK (ESM, CJS, types), bin OK, pg loaded only by ./adapters/postgres`);
