/**
 * Boundaries of the xs:dateTime reader and writer that mutation testing found unasserted
 * (issue 12, gaps 1–5): each test fails if the matching check is weakened or removed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cemDateTime, formatCemDateTime, parseCemDateTime } from '../../src/messages/index.js';
import { CemArgumentError, CemXmlError } from '../../src/index.js';

function refused(text: string): void {
  let caught: unknown;
  try {
    parseCemDateTime(text);
  } catch (error) {
    caught = error;
  }
  expect(caught, text).toBeInstanceOf(CemXmlError);
  expect((caught as CemXmlError).code).toBe('CEM_XML_DATE');
}

describe('end of day (24:00:00)', () => {
  it('accepts 24:00:00 with a zero fraction only, as midnight of the next day', () => {
    expect(parseCemDateTime('2024-12-31T24:00:00Z').instant.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(parseCemDateTime('2024-03-10T24:00:00.000+01:00').instant.toISOString()).toBe(
      '2024-03-10T23:00:00.000Z',
    );
  });

  it.each(['2024-03-10T24:00:30Z', '2024-03-10T24:00:00.5Z', '2024-03-10T24:30:00Z', '2024-03-10T24:00:00.001Z', '2024-03-10T25:00:00Z'])(
    'refuses %s',
    (text) => refused(text),
  );

  it('still accepts the last second of an ordinary day', () => {
    expect(parseCemDateTime('2024-03-10T23:59:59.999Z').instant.toISOString()).toBe('2024-03-10T23:59:59.999Z');
  });
});

describe('calendar', () => {
  it.each(['2023-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2100-02-29T12:00:00Z', '2024-02-30T00:00:00Z'])(
    'refuses the impossible date %s',
    (text) => refused(text),
  );

  it.each([
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
    ['2023-02-28T23:59:59Z', '2023-02-28T23:59:59.000Z'],
    ['2023-04-30T00:00:00Z', '2023-04-30T00:00:00.000Z'],
    ['2023-12-31T00:00:00Z', '2023-12-31T00:00:00.000Z'],
  ])('accepts the real date %s', (text, iso) => {
    expect(parseCemDateTime(text).instant.toISOString()).toBe(iso);
  });

  it.each(['2024-00-15T00:00:00Z', '2024-13-01T00:00:00Z', '2024-01-00T00:00:00Z', '2023-04-31T00:00:00Z', '2023-06-31T00:00:00Z', '2023-09-31T00:00:00Z', '2023-11-31T00:00:00Z', '0000-01-01T00:00:00Z'])(
    'refuses the month, day or year out of range in %s',
    (text) => refused(text),
  );

  it.each(['2024-01-01T00:60:00Z', '2024-01-01T00:00:60Z', '2024-01-01T00:00:00+14:01', '2024-01-01T00:00:00+01:60'])(
    'refuses the minute, second or offset out of range in %s',
    (text) => refused(text),
  );
});

describe('zones at offset 0', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });
  const winter = new Date('2025-01-15T12:34:56.789Z');

  it.each([{ timeZone: 'UTC' }, { timeZone: 'Europe/London' }, { timeZone: 'Etc/GMT' }, { offsetMinutes: 0 }])(
    'writes +00:00 and offset 0 (not NaN, not -0) for %j',
    (zone) => {
      expect(formatCemDateTime(winter, zone)).toBe('2025-01-15T12:34:56+00:00');
      const value = cemDateTime(winter, zone);
      expect(Object.is(value.offsetMinutes, 0)).toBe(true);
      expect(value.instant.toISOString()).toBe('2025-01-15T12:34:56.000Z');
    },
  );

  it('reads -00:00 and Z as offset +0', () => {
    expect(Object.is(parseCemDateTime('2025-01-15T12:00:00-00:00').offsetMinutes, 0)).toBe(true);
    expect(Object.is(parseCemDateTime('2025-01-15T12:00:00Z').offsetMinutes, 0)).toBe(true);
  });

  it('reads the bare "GMT" that ECMA-402 runtimes write for offset 0 as 0', () => {
    // Node 20's ICU writes "GMT+00:00"; the ECMA-402 form (newer ICU, other engines) is "GMT".
    const real = Intl.DateTimeFormat.prototype.formatToParts;
    vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts').mockImplementation(function (
      this: Intl.DateTimeFormat,
      date?: Date | number,
    ) {
      return real.call(this, date).map((part) => (part.type === 'timeZoneName' && part.value === 'GMT+00:00' ? { ...part, value: 'GMT' } : part));
    });
    expect(formatCemDateTime(winter, { timeZone: 'Europe/London' })).toBe('2025-01-15T12:34:56+00:00');
    expect(Object.is(cemDateTime(winter, { timeZone: 'UTC' }).offsetMinutes, 0)).toBe(true);
    expect(formatCemDateTime(new Date('2025-07-01T12:00:00Z'), { timeZone: 'Europe/London' })).toBe(
      '2025-07-01T13:00:00+01:00',
    );
  });

  it('London in summer is +01:00', () => {
    expect(formatCemDateTime(new Date('2025-07-01T12:00:00Z'), { timeZone: 'Europe/London' })).toBe(
      '2025-07-01T13:00:00+01:00',
    );
  });
});

describe('year boundaries when writing', () => {
  it('writes the last second of year 9999 and refuses the first of year 10000', () => {
    expect(formatCemDateTime(new Date('9999-12-31T23:59:59.999Z'))).toBe('9999-12-31T23:59:59+00:00');
    expect(() => formatCemDateTime(new Date('+010000-01-01T00:00:00Z'))).toThrow(CemArgumentError);
  });

  it('refuses year 10000 reached through the zone offset only', () => {
    const last = new Date('9999-12-31T23:30:00Z');
    expect(formatCemDateTime(last, { offsetMinutes: 29 })).toBe('9999-12-31T23:59:00+00:29');
    expect(() => formatCemDateTime(last, { offsetMinutes: 30 })).toThrow(CemArgumentError);
  });

  it('writes year 0001 and refuses year 0', () => {
    const first = new Date(Date.UTC(2000, 0, 1));
    first.setUTCFullYear(1);
    expect(formatCemDateTime(first)).toBe('0001-01-01T00:00:00+00:00');
    expect(() => formatCemDateTime(first, { offsetMinutes: -1 })).toThrow(CemArgumentError);
  });

  it('pads small years to four digits', () => {
    const d = new Date(Date.UTC(2000, 5, 7, 8, 9, 10));
    d.setUTCFullYear(42);
    expect(formatCemDateTime(d)).toBe('0042-06-07T08:09:10+00:00');
    expect(parseCemDateTime('0042-06-07T08:09:10Z').instant.getTime()).toBe(d.getTime());
  });
});
