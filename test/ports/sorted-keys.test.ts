import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSortedKeys } from '../../src/ports/sorted-keys.js';

describe('the memory store\'s sorted key index', () => {
  it('matches a sorted array under random adds, deletes and range reads across chunk splits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3000 })), { minLength: 1, maxLength: 4000 }),
        fc.integer({ min: 0, max: 3000 }), fc.boolean(), fc.integer({ min: 1, max: 2000 }),
        (ops, from, exclusive, limit) => {
          const index = createSortedKeys();
          const model = new Set<string>();
          for (const [add, n] of ops) {
            const key = `k/${String(n).padStart(5, '0')}`;
            if (add) (index.add(key), model.add(key));
            else (index.delete(key), model.delete(key));
          }
          const sorted = [...model].sort();
          expect(index.size).toBe(sorted.length);
          const start = `k/${String(from).padStart(5, '0')}`;
          const expected = sorted.filter((k) => (exclusive ? k > start : k >= start)).slice(0, limit);
          expect(index.range(start, exclusive, () => true, limit)).toEqual(expected);
          expect(index.range('', false, () => true, Number.POSITIVE_INFINITY)).toEqual(sorted);
        },
      ),
      { numRuns: 60 },
    );
  });
});
