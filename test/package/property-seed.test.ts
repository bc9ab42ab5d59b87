/**
 * Property-test failures are reproducible: the seed and path fast-check prints, given back via
 * CEM_PROPERTY_SEED / CEM_PROPERTY_PATH (test/helpers/property-seed.ts), replay the same shrunk case.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyReplay } from '../helpers/property-seed.js';

describe('CEM_PROPERTY_SEED / CEM_PROPERTY_PATH', () => {
  it('reads a seed, a seed with a path, or nothing', () => {
    expect(propertyReplay({})).toEqual({});
    expect(propertyReplay({ CEM_PROPERTY_SEED: '-1819042536' })).toEqual({ seed: -1819042536 });
    expect(propertyReplay({ CEM_PROPERTY_SEED: '7', CEM_PROPERTY_PATH: '42:3:0' })).toEqual({ seed: 7, path: '42:3:0', endOnFailure: true });
  });

  it('refuses a seed that is not an integer and a path without a seed', () => {
    expect(() => propertyReplay({ CEM_PROPERTY_SEED: 'abc' })).toThrow(/integer/);
    expect(() => propertyReplay({ CEM_PROPERTY_SEED: '1.5' })).toThrow(/integer/);
    expect(() => propertyReplay({ CEM_PROPERTY_PATH: '1:2' })).toThrow(/needs CEM_PROPERTY_SEED/);
  });

  it('a failure report names the seed, path and shrunk counterexample, and replaying them gives that case', () => {
    const property = fc.property(fc.array(fc.integer({ min: 0, max: 1000 })), (xs) => xs.reduce((a, b) => a + b, 0) < 1500);
    let message = '';
    try {
      fc.assert(property, { seed: 4242 });
    } catch (error) {
      message = error instanceof Error ? error.message : String(error);
    }
    const m = /seed: (-?\d+), path: "([\d:]+)"/.exec(message);
    expect(m, message).not.toBeNull();
    expect(message).toMatch(/Counterexample: \[\[/);
    const first = fc.check(property, { seed: 4242 });
    expect(first.failed).toBe(true);
    const replayed = fc.check(property, { ...propertyReplay({ CEM_PROPERTY_SEED: m![1], CEM_PROPERTY_PATH: m![2] }) });
    expect(replayed.failed).toBe(true);
    expect(replayed.counterexample).toEqual(first.counterexample);
    expect(replayed.numRuns).toBe(1);
  });
});
