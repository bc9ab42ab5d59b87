/**
 * Property-test failures are reproducible: the seed fast-check prints, given back via
 * CEM_PROPERTY_SEED (test/helpers/property-seed.ts), replays the same failure and shrunk case.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyReplay } from '../helpers/property-seed.js';

describe('CEM_PROPERTY_SEED', () => {
  it('reads a seed, or nothing', () => {
    expect(propertyReplay({})).toEqual({});
    expect(propertyReplay({ CEM_PROPERTY_SEED: '' })).toEqual({});
    expect(propertyReplay({ CEM_PROPERTY_SEED: '-1819042536' })).toEqual({ seed: -1819042536 });
  });

  it('refuses a seed that is not an integer rather than silently drawing a fresh one', () => {
    for (const bad of ['abc', '1.5', '1e3', '0x10']) expect(() => propertyReplay({ CEM_PROPERTY_SEED: bad }), bad).toThrow(/integer/);
  });

  it('a failure report names the seed and shrunk counterexample, and replaying the seed gives that case', () => {
    const property = fc.property(fc.array(fc.integer({ min: 0, max: 1000 })), (xs) => xs.reduce((a, b) => a + b, 0) < 1500);
    let message = '';
    try {
      fc.assert(property);
    } catch (error) {
      message = error instanceof Error ? error.message : String(error);
    }
    const m = /\{ seed: (-?\d+), path: "[\d:]+"/.exec(message);
    expect(m, message).not.toBeNull();
    const shown = /Counterexample: (\[\[.*\]\])/.exec(message);
    expect(shown, message).not.toBeNull();
    const { seed } = propertyReplay({ CEM_PROPERTY_SEED: m![1] });
    const replayed = fc.check(property, { seed });
    expect(replayed.failed).toBe(true);
    expect(JSON.stringify(replayed.counterexample)).toBe(shown![1]!.replace(/\s/g, ''));
  });
});
