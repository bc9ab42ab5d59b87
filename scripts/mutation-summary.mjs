// Summarises a Stryker JSON report (default reports/mutation/mutation.json): per file and per
// directory, mutants killed (killed or timed out) of all that were run, and the survivors with
// their line and replacement, for the README table and docs/mutation-equivalents.md. Several
// reports are merged, a later one's result for a mutant (same file, place, mutator and
// replacement) replacing an earlier one's: a whole run, then re-runs of some lines.
//   node scripts/mutation-summary.mjs [report.json ...] [--survivors] [--only <path prefix>]
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const reports = args.filter((a) => a.endsWith('.json'));
if (reports.length === 0) reports.push('reports/mutation/mutation.json');
const showSurvivors = args.includes('--survivors');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1] : '';
const idOf = (m) => { const { start, end } = m.location; return `${start.line}:${start.column}-${end.line}:${end.column}:${m.mutatorName}:${m.replacement ?? ''}`; };
const files = {};
for (const report of reports) {
  for (const [path, file] of Object.entries(JSON.parse(readFileSync(report, 'utf8')).files)) {
    const known = files[path] ?? { source: file.source, mutants: new Map() };
    if (known.source !== file.source) throw new Error(`${path} differs between the reports: merge runs of the same code only`);
    for (const m of file.mutants) known.mutants.set(idOf(m), m);
    files[path] = known;
  }
}
for (const file of Object.values(files)) file.mutants = [...file.mutants.values()];

const detected = new Set(['Killed', 'Timeout']);
const undetected = new Set(['Survived', 'NoCoverage']);
const rows = [];
const dirs = new Map();
for (const [path, file] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
  if (!path.startsWith(only)) continue;
  const count = { killed: 0, survived: 0, noCoverage: 0, ignored: 0, errors: 0 };
  for (const m of file.mutants) {
    if (detected.has(m.status)) count.killed++;
    else if (m.status === 'Survived') count.survived++;
    else if (m.status === 'NoCoverage') count.noCoverage++;
    else if (m.status === 'Ignored') count.ignored++;
    else count.errors++;
  }
  rows.push([path, count]);
  const dir = path.split('/').slice(0, 2).join('/');
  const d = dirs.get(dir) ?? { killed: 0, survived: 0, noCoverage: 0, ignored: 0, errors: 0 };
  for (const k of Object.keys(d)) d[k] += count[k];
  dirs.set(dir, d);
}

const pct = (c) => {
  const run = c.killed + c.survived + c.noCoverage;
  return run === 0 ? '-' : `${((100 * c.killed) / run).toFixed(1)}% (${c.killed} of ${run})`;
};
const line = ([name, c]) =>
  `${name.padEnd(48)} ${pct(c).padEnd(22)} survived ${c.survived}, no coverage ${c.noCoverage}` +
  (c.ignored ? `, ignored ${c.ignored}` : '') + (c.errors ? `, errors ${c.errors}` : '');
for (const row of rows) console.log(line(row));
console.log('');
for (const row of dirs) console.log(line(row));

if (showSurvivors) {
  for (const [path, file] of Object.entries(files)) {
    if (!path.startsWith(only)) continue;
    const lines = file.source.split('\n');
    for (const m of file.mutants.filter((x) => undetected.has(x.status)).sort((a, b) => a.location.start.line - b.location.start.line)) {
      const at = m.location.start;
      const code = lines[at.line - 1].trim().slice(0, 110);
      console.log(`\n${path}:${at.line}:${at.column} ${m.status} ${m.mutatorName} -> ${JSON.stringify(m.replacement ?? '').slice(0, 100)}\n    ${code}`);
    }
  }
}
