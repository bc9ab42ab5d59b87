/**
 * `npm run fuzz -- --cases N --seed S [--slow-ms 100] [--out fuzz-findings]`: a mutation fuzzer
 * over every public parser (MIME entity, CEM entity and XML, certs-only, certificates, CMS
 * identifiers, DN, dates, EDIINT-Features, media types). Prints per-parser counts, p99 and max
 * time per case; saves every non-CemError and every case slower than --slow-ms as a reproducer
 * (`<out>/<parser>-seed<S>-case<N>.bin` with a `.txt` beside it). Exit 1 when there are findings.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { percentile, runFuzz, type Finding } from './fuzz/engine.js';
import { makeTargets } from './fuzz/targets.js';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} needs a non-negative integer`);
  return value;
}

const cases = option('cases', 100_000);
const seed = option('seed', 1);
const slowMs = option('slow-ms', 100);
const outAt = process.argv.indexOf('--out');
const out = outAt >= 0 ? (process.argv[outAt + 1] as string) : 'fuzz-findings';

function save(finding: Finding): void {
  mkdirSync(out, { recursive: true });
  const base = join(out, `${finding.target}-seed${seed}-case${finding.index}`);
  writeFileSync(`${base}.bin`, finding.input);
  writeFileSync(`${base}.txt`, `${finding.kind} in ${finding.target} (${finding.ms.toFixed(1)} ms), seed ${seed}, case ${finding.index}\n${finding.error ?? ''}\n`);
  console.log(`finding: ${finding.kind} in ${finding.target}, case ${finding.index}, ${finding.ms.toFixed(1)} ms -> ${base}.bin`);
}

const started = Date.now();
const targets = makeTargets();
const { stats, findings } = runFuzz(targets, {
  cases, seed, slowMs, onFinding: save, progressEvery: 50_000,
  onProgress: (done) => console.log(`${done} cases, ${((Date.now() - started) / 1000).toFixed(0)} s`),
});
console.log(`\nfuzz: ${cases} cases, seed ${seed}, ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log('parser                    cases  returned  CemError  other  slow    p99 ms    max ms');
for (const s of stats) {
  console.log(`${s.name.padEnd(24)} ${String(s.cases).padStart(6)} ${String(s.returned).padStart(9)} ${String(s.cemErrors).padStart(9)} ${String(s.failures).padStart(6)} ${String(s.slow).padStart(5)} ${percentile(s.times, 99).toFixed(2).padStart(9)} ${Math.max(0, ...s.times).toFixed(2).padStart(9)}`);
}
console.log(`findings: ${findings.length}${findings.length > 0 ? ` (saved in ${out}/)` : ''}`);
process.exitCode = findings.length > 0 ? 1 : 0;
