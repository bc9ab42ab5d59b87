/**
 * The fuzz loop: mutate seeds, call the parser, classify the outcome. Anything thrown that is not
 * a CemError is a failure; a case slower than the threshold on its first run and on the best of
 * two more is slow. Both are findings.
 *
 * @module
 */
import { performance } from 'node:perf_hooks';
import { isCemError } from '../../src/errors.js';
import { mutate, prng } from './mutate.js';
import type { FuzzTarget } from './targets.js';

/** What happened to one target. */
export interface TargetStats {
  readonly name: string;
  cases: number;
  returned: number;
  cemErrors: number;
  failures: number;
  slow: number;
  readonly times: number[];
}

/** A case worth keeping: a non-CemError throw, or a slow case. */
export interface Finding {
  readonly target: string;
  readonly index: number;
  readonly kind: 'failure' | 'slow';
  readonly ms: number;
  readonly input: Uint8Array;
  readonly error: string | null;
}

export interface FuzzOptions {
  readonly cases: number;
  readonly seed: number;
  /** A case slower than this (ms) is a finding; 100 by default. */
  readonly slowMs?: number;
  /** Called for each finding as it happens (to save a reproducer). */
  readonly onFinding?: (finding: Finding) => void;
  /** Called every `progressEvery` cases. */
  readonly onProgress?: (done: number) => void;
  readonly progressEvery?: number;
}

/** Runs `cases` cases spread round-robin over `targets`; deterministic for a given seed and targets. */
export function runFuzz(targets: readonly FuzzTarget[], options: FuzzOptions): { stats: TargetStats[]; findings: Finding[] } {
  const random = prng(options.seed);
  const slowMs = options.slowMs ?? 100;
  const stats: TargetStats[] = targets.map((t) => ({ name: t.name, cases: 0, returned: 0, cemErrors: 0, failures: 0, slow: 0, times: [] }));
  const findings: Finding[] = [];
  for (let index = 0; index < options.cases; index++) {
    const t = index % targets.length;
    const target = targets[t] as FuzzTarget;
    const stat = stats[t] as TargetStats;
    const pick = (n: number) => Math.floor(random() * n);
    const input = mutate(target.seeds[pick(target.seeds.length)] as Uint8Array, target.seeds[pick(target.seeds.length)] as Uint8Array, random);
    let error: unknown = null;
    let threw = false;
    const start = performance.now();
    try {
      target.run(input);
    } catch (e) {
      threw = true;
      error = e;
    }
    const ms = performance.now() - start;
    stat.cases += 1;
    stat.times.push(ms);
    let kind: Finding['kind'] | null = null;
    if (!threw) stat.returned += 1;
    else if (isCemError(error)) stat.cemErrors += 1;
    else {
      stat.failures += 1;
      kind = 'failure';
    }
    if (ms > slowMs && retime(target, input) > slowMs) {
      stat.slow += 1;
      kind ??= 'slow';
    }
    if (kind !== null) {
      const finding: Finding = { target: target.name, index, kind, ms, input: input.slice(), error: threw ? String(error instanceof Error ? (error.stack ?? error.message) : error) : null };
      findings.push(finding);
      options.onFinding?.(finding);
    }
    if (options.onProgress && options.progressEvery && (index + 1) % options.progressEvery === 0) options.onProgress(index + 1);
  }
  return { stats, findings };
}

/**
 * The fastest of two more runs of a case that was slow once: on a shared machine a garbage
 * collection or a preempted thread makes a 1 ms case take 300 ms; a really slow case stays slow.
 */
function retime(target: FuzzTarget, input: Uint8Array): number {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 2; run++) {
    const start = performance.now();
    try {
      target.run(input);
    } catch {
      // the outcome was classified on the first run
    }
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/** The p-th percentile (0–100) of `times`. */
export function percentile(times: readonly number[], p: number): number {
  if (times.length === 0) return 0;
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}
