import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cemDateTime, formatCemDateTime, parseCemDateTime } from '../../src/messages/datetime.js';

const SPEC_EXACT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

/** Offset text for a number of minutes, written independently of the code under test. */
function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.trunc(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

describe('parseCemDateTime', () => {
  it('reads offset minutes up to 59 and refuses 60', () => {
    const d = parseCemDateTime('2026-03-02T10:00:00+05:59');
    expect(d.offsetMinutes).toBe(359);
    expect(d.instant.toISOString()).toBe('2026-03-02T04:01:00.000Z');
    expect(parseCemDateTime('2026-03-02T10:00:00-00:59').offsetMinutes).toBe(-59);
    expect(() => parseCemDateTime('2026-03-02T10:00:00+05:60')).toThrow(expect.objectContaining({ code: 'CEM_XML_DATE' }));
  });

  it('reads a numeric offset and keeps the lexical form and offset', () => {
    const d = parseCemDateTime('2005-08-30T00:30:00-05:00');
    expect(d.lexical).toBe('2005-08-30T00:30:00-05:00');
    expect(d.offsetMinutes).toBe(-300);
    expect(d.instant.toISOString()).toBe('2005-08-30T05:30:00.000Z');
  });

  it('trims XML whitespace around the value, as in the draft examples', () => {
    const d = parseCemDateTime('\n         2005-08-30T00:30:00-05:00 \t');
    expect(d.lexical).toBe('2005-08-30T00:30:00-05:00');
  });

  it('reads Z as offset 0 and keeps Z in the lexical form', () => {
    const d = parseCemDateTime('2025-01-31T12:00:00Z');
    expect(d.offsetMinutes).toBe(0);
    expect(d.lexical).toBe('2025-01-31T12:00:00Z');
    expect(d.instant.toISOString()).toBe('2025-01-31T12:00:00.000Z');
  });

  it('reads fractional seconds to the millisecond', () => {
    expect(parseCemDateTime('2025-01-31T12:00:00.1234567+01:00').instant.toISOString()).toBe(
      '2025-01-31T11:00:00.123Z',
    );
    expect(parseCemDateTime('2025-01-31T12:00:00.5Z').instant.getUTCMilliseconds()).toBe(500);
  });

  it('reads a value without offset as UTC with offsetMinutes null', () => {
    const d = parseCemDateTime('2025-06-30T00:00:00');
    expect(d.offsetMinutes).toBeNull();
    expect(d.instant.toISOString()).toBe('2025-06-30T00:00:00.000Z');
  });

  it('reads half-hour and 45-minute offsets and the ±14:00 extremes', () => {
    expect(parseCemDateTime('2025-01-01T05:45:00+05:45').instant.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(parseCemDateTime('2025-01-01T00:00:00-09:30').offsetMinutes).toBe(-570);
    expect(parseCemDateTime('2025-01-01T00:00:00+14:00').offsetMinutes).toBe(840);
    expect(parseCemDateTime('2025-01-01T00:00:00-14:00').offsetMinutes).toBe(-840);
    expect(Object.is(parseCemDateTime('2025-01-01T00:00:00-00:00').offsetMinutes, 0)).toBe(true);
  });

  it('accepts 29 February in leap years, including 2000', () => {
    expect(parseCemDateTime('2024-02-29T00:00:00Z').instant.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(parseCemDateTime('2000-02-29T00:00:00Z').instant.getUTCDate()).toBe(29);
  });

  it('accepts 24:00:00 as midnight at the end of the day, as XML Schema 1.0 does', () => {
    const d = parseCemDateTime('2025-12-31T24:00:00+00:00');
    expect(d.instant.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('reads years below 100 literally (not as 19xx)', () => {
    expect(parseCemDateTime('0050-06-01T00:00:00Z').instant.getUTCFullYear()).toBe(50);
  });

  it.each([
    ['impossible day', '2025-02-30T00:00:00Z'],
    ['29 February outside a leap year', '2100-02-29T00:00:00Z'],
    ['31 April', '2025-04-31T00:00:00Z'],
    ['month 13', '2025-13-01T00:00:00Z'],
    ['day 0', '2025-01-00T00:00:00Z'],
    ['hour 24 with minutes', '2025-01-01T24:30:00Z'],
    ['hour 25', '2025-01-01T25:00:00Z'],
    ['minute 60', '2025-01-01T12:60:00Z'],
    ['leap second', '2025-06-30T23:59:60Z'],
    ['offset beyond 14:00', '2025-01-01T00:00:00+14:01'],
    ['offset minutes 60', '2025-01-01T00:00:00+05:60'],
    ['offset without colon', '2025-01-01T00:00:00+0530'],
    ['offset hours only', '2025-01-01T00:00:00+05'],
    ['lower-case z', '2025-01-01T00:00:00z'],
    ['space instead of T', '2025-01-01 00:00:00Z'],
    ['no seconds', '2025-01-01T00:00Z'],
    ['date only', '2025-01-01'],
    ['year 0000', '0000-01-01T00:00:00Z'],
    ['five-digit year', '12025-01-01T00:00:00Z'],
    ['negative year', '-0001-01-01T00:00:00Z'],
    ['empty', ''],
    ['whitespace only', '  \n '],
    ['empty fraction', '2025-01-01T00:00:00.Z'],
    ['inner whitespace', '2025-01-01T00:00:00 +01:00'],
  ])('refuses %s with CEM_XML_DATE', (_label, text) => {
    expect(codeOf(() => parseCemDateTime(text))).toBe('CEM_XML_DATE');
  });

  it('returns a frozen value', () => {
    const d = parseCemDateTime('2025-01-01T00:00:00Z');
    expect(Object.isFrozen(d)).toBe(true);
    expect(Object.isFrozen(d.instant)).toBe(true);
  });
});

describe('formatCemDateTime', () => {
  const instant = new Date('2025-01-15T12:00:00.999Z');

  it('writes UTC as +00:00 by default, never Z, seconds truncated', () => {
    expect(formatCemDateTime(instant)).toBe('2025-01-15T12:00:00+00:00');
  });

  it('truncates towards the past before 1970 too', () => {
    expect(formatCemDateTime(new Date('1969-12-31T23:59:59.500Z'))).toBe('1969-12-31T23:59:59+00:00');
  });

  it.each([-720, -570, -210, 0, 330, 345, 525, 765, 840])('writes offset %i minutes with its local time', (minutes) => {
    const text = formatCemDateTime(instant, { offsetMinutes: minutes });
    expect(text).toMatch(SPEC_EXACT);
    expect(text.endsWith(offsetText(minutes))).toBe(true);
    // The text denotes the same instant (to the second), whatever the offset.
    expect(new Date(text).getTime()).toBe(new Date('2025-01-15T12:00:00Z').getTime());
  });

  it.each([
    ['Asia/Kolkata', '2025-01-15T12:00:00Z', '2025-01-15T17:30:00+05:30'],
    ['Asia/Kolkata', '2025-07-15T12:00:00Z', '2025-07-15T17:30:00+05:30'],
    ['Asia/Kathmandu', '2025-01-15T12:00:00Z', '2025-01-15T17:45:00+05:45'],
    ['Australia/Adelaide', '2025-01-15T12:00:00Z', '2025-01-15T22:30:00+10:30'],
    ['Australia/Adelaide', '2025-07-15T12:00:00Z', '2025-07-15T21:30:00+09:30'],
    ['Pacific/Chatham', '2025-01-15T12:00:00Z', '2025-01-16T01:45:00+13:45'],
    ['Pacific/Chatham', '2025-07-15T12:00:00Z', '2025-07-16T00:45:00+12:45'],
    ['America/St_Johns', '2025-01-15T12:00:00Z', '2025-01-15T08:30:00-03:30'],
    ['America/St_Johns', '2025-07-15T12:00:00Z', '2025-07-15T09:30:00-02:30'],
    ['America/New_York', '2025-01-15T12:00:00Z', '2025-01-15T07:00:00-05:00'],
    ['UTC', '2025-01-15T12:00:00Z', '2025-01-15T12:00:00+00:00'],
  ])('writes %s at %s as %s', (timeZone, iso, expected) => {
    expect(formatCemDateTime(new Date(iso), { timeZone })).toBe(expected);
  });

  it('follows a DST change within one day (Adelaide, first Sunday of April 2025)', () => {
    // 2025-04-06 03:00 ACDT (+10:30) becomes 02:00 ACST (+09:30), at 16:30 UTC the day before.
    expect(formatCemDateTime(new Date('2025-04-05T16:29:59Z'), { timeZone: 'Australia/Adelaide' })).toBe(
      '2025-04-06T02:59:59+10:30',
    );
    expect(formatCemDateTime(new Date('2025-04-05T16:30:00Z'), { timeZone: 'Australia/Adelaide' })).toBe(
      '2025-04-06T02:00:00+09:30',
    );
  });

  it('keeps the instant when a historical zone offset has seconds (local mean time)', () => {
    const old = new Date('1900-01-01T00:00:00Z');
    const text = formatCemDateTime(old, { timeZone: 'Asia/Kolkata' });
    expect(text).toMatch(SPEC_EXACT);
    expect(new Date(text).getTime()).toBe(old.getTime());
  });

  it.each([
    ['an invalid Date', () => formatCemDateTime(new Date(Number.NaN))],
    ['a non-Date', () => formatCemDateTime('2025-01-01' as unknown as Date)],
    ['an unknown time zone', () => formatCemDateTime(instant, { timeZone: 'Mars/Olympus_Mons' })],
    ['an offset beyond 14:00', () => formatCemDateTime(instant, { offsetMinutes: 841 })],
    ['a fractional offset', () => formatCemDateTime(instant, { offsetMinutes: 30.5 })],
    ['both zone forms', () => formatCemDateTime(instant, { offsetMinutes: 0, timeZone: 'UTC' } as never)],
    ['a year above 9999', () => formatCemDateTime(new Date('+010000-01-01T00:00:00Z'))],
    ['a year below 1', () => formatCemDateTime(new Date('0000-06-01T00:00:00Z'))],
  ])('refuses %s with CEM_ARGUMENT', (_label, fn) => {
    expect(codeOf(fn)).toBe('CEM_ARGUMENT');
  });
});

describe('cemDateTime', () => {
  it('returns the spec-exact lexical form, the instant truncated to the second and the offset', () => {
    const d = cemDateTime(new Date('2025-03-01T19:05:07.890Z'), { timeZone: 'America/New_York' });
    expect(d).toEqual({
      lexical: '2025-03-01T14:05:07-05:00',
      instant: new Date('2025-03-01T19:05:07.000Z'),
      offsetMinutes: -300,
    });
    expect(Object.isFrozen(d)).toBe(true);
  });

  it('round-trips through parseCemDateTime for any instant and offset from -12:00 to +14:00', () => {
    const offsets = fc.oneof(fc.integer({ min: -720, max: 840 }), fc.constantFrom(-570, -210, 330, 345, 525, 765, 840));
    const instants = fc.date({ min: new Date('0002-01-01T00:00:00Z'), max: new Date('9998-12-31T00:00:00Z'), noInvalidDate: true });
    fc.assert(
      fc.property(instants, offsets, (instant, offsetMinutes) => {
        const built = cemDateTime(instant, { offsetMinutes });
        expect(built.lexical).toMatch(SPEC_EXACT);
        expect(parseCemDateTime(built.lexical)).toEqual(built);
        expect(instant.getTime() - built.instant.getTime()).toBeGreaterThanOrEqual(0);
        expect(instant.getTime() - built.instant.getTime()).toBeLessThan(1000);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips through parseCemDateTime for IANA zones', () => {
    const zones = fc.constantFrom('Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Adelaide', 'Pacific/Chatham', 'America/St_Johns', 'Europe/Berlin');
    const instants = fc.date({ min: new Date('1980-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true });
    fc.assert(
      fc.property(instants, zones, (instant, timeZone) => {
        const built = cemDateTime(instant, { timeZone });
        expect(parseCemDateTime(built.lexical)).toEqual(built);
      }),
      { numRuns: 300 },
    );
  });
});
