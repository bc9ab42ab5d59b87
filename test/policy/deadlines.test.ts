import { describe, expect, it } from 'vitest';
import { addDays, alertDay, expiresWithin, isDue, respondByFor, toIso } from '../../src/policy/deadlines.js';

describe('deadlines', () => {
  it.each([
    [30, '2026-01-31T00:00:00.000Z'],
    [0.5, '2026-01-01T12:00:00.000Z'],
    [365, '2027-01-01T00:00:00.000Z'],
  ])('sets respond-by = now + %s days', (maxResponseDays, expected) => {
    expect(respondByFor(new Date('2026-01-01T00:00:00Z'), { maxResponseDays })).toBe(expected);
  });

  it.each([
    ['2026-03-01T03:00:00Z', 0, '2026-03-01'],
    ['2026-03-01T03:00:00Z', -300, '2026-02-28'],
    ['2026-02-28T22:30:00Z', 90, '2026-03-01'],
    ['2026-02-28T23:59:59Z', 0, '2026-02-28'],
  ])('puts %s in alert day %s (offset %s → %s)', (instant, offset, day) => {
    expect(alertDay(new Date(instant), offset)).toBe(day);
  });

  it('compares stored instants with now, inclusively', () => {
    const now = new Date('2026-01-02T00:00:00Z');
    expect(isDue(toIso(now), now)).toBe(true);
    expect(isDue(toIso(addDays(now, 0.001)), now)).toBe(false);
  });

  it.each([
    ['2026-01-20T00:00:00.000Z', 30, true],
    ['2026-03-20T00:00:00.000Z', 30, false],
    ['2025-12-01T00:00:00.000Z', 0, true],
  ])('tells whether %s expires within %s days', (notAfter, days, expected) => {
    expect(expiresWithin(notAfter, new Date('2026-01-01T00:00:00Z'), days)).toBe(expected);
  });
});
