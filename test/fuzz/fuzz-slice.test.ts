/**
 * Issue 9, point 14: a fixed-seed slice of the in-repo fuzzer (scripts/fuzz.ts) in every test
 * run. Every mutated input to every public parser must return or throw a CemError; nothing else
 * (a TypeError, a RangeError, a stack overflow) may escape. Times are reported by
 * `npm run fuzz`, not asserted here (the CI machine's load would make them flaky).
 */
import { describe, expect, it } from 'vitest';
import { runFuzz } from '../../scripts/fuzz/engine.js';
import { makeTargets } from '../../scripts/fuzz/targets.js';

describe('fuzz slice', () => {
  it('3,000 mutated inputs over every public parser raise nothing but CemError (seed 20261205)', () => {
    const targets = makeTargets();
    expect(targets.map((t) => t.name)).toEqual(expect.arrayContaining([
      'parseCemEntity', 'parseMimeEntity', 'parseCemDocument', 'decodeCertsOnly', 'readCertsOnly', 'readCertificate',
      'readCertificates', 'parseDistinguishedName', 'parseCemDateTime', 'parseEdiintFeatures', 'parseMediaType',
    ]));
    const { stats, findings } = runFuzz(targets, { cases: 3000, seed: 20261205, slowMs: Number.POSITIVE_INFINITY });
    expect(findings.filter((f) => f.kind === 'failure').map((f) => `${f.target} case ${f.index}: ${f.error?.split('\n')[0]}`)).toEqual([]);
    for (const s of stats) expect(s.cases, s.name).toBe(200);
    // the corpus reaches past the first checks: some mutated inputs are still accepted
    expect(stats.reduce((n, s) => n + s.returned, 0)).toBeGreaterThan(300);
  }, 120_000);
});
