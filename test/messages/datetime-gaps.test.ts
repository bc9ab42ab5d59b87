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

/** The error `fn` throws (fails the test when it returns). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('refusals say what was wrong', () => {
  const instant = new Date('2025-01-15T12:00:00Z');

  it('a value that is not a string is CEM_XML_DATE, naming an empty value', () => {
    const error = thrown(() => parseCemDateTime(42 as unknown as string));
    expect(error).toBeInstanceOf(CemXmlError);
    expect(error.message).toBe('not a valid xs:dateTime: ""');
  });

  it('quotes the refused value, cut after 64 characters', () => {
    const exact = `2025-01-15T12:00:00${'9'.repeat(64 - 19)}`;
    expect(exact).toHaveLength(64);
    expect(thrown(() => parseCemDateTime(exact)).message).toBe(`not a valid xs:dateTime: ${JSON.stringify(exact)}`);
    const long = `${exact}Z`;
    expect(thrown(() => parseCemDateTime(long)).message).toBe(`not a valid xs:dateTime: ${JSON.stringify(`${exact}…`)}`);
  });

  it.each([
    [null, /zone must be an object/],
    ['UTC', /zone must be an object/],
    [{}, /exactly one of offsetMinutes and timeZone/],
    [{ offsetMinutes: 0, timeZone: 'UTC' }, /exactly one of offsetMinutes and timeZone/],
    [{ offsetMinutes: 841 }, /offsetMinutes must be a whole number within ±840/],
    [{ offsetMinutes: 1.5 }, /offsetMinutes must be a whole number within ±840/],
    [{ timeZone: 'Mars/Olympus_Mons' }, /unknown time zone "Mars\/Olympus_Mons"/],
  ])('refuses the zone %j with CEM_ARGUMENT', (zone, message) => {
    const error = thrown(() => formatCemDateTime(instant, zone as never));
    expect(error).toBeInstanceOf(CemArgumentError);
    expect(error.message).toMatch(message);
    expect(thrown(() => cemDateTime(instant, zone as never)).message).toMatch(message);
  });

  it('keeps the Intl error as the cause of an unknown time zone', () => {
    expect(thrown(() => formatCemDateTime(instant, { timeZone: 'Mars/Olympus_Mons' })).cause).toBeInstanceOf(RangeError);
  });

  it('refuses an invalid Date and names the year it cannot write', () => {
    expect(thrown(() => formatCemDateTime(new Date(Number.NaN))).message).toMatch(/instant must be a valid Date/);
    expect(thrown(() => formatCemDateTime('2025-01-15' as unknown as Date)).message).toMatch(/instant must be a valid Date/);
    expect(thrown(() => formatCemDateTime(new Date('+010000-01-01T00:00:00Z'))).message).toMatch(/year 10000 cannot be written/);
  });

  it('gives offset +0 for a fixed zone of -0 minutes', () => {
    expect(Object.is(cemDateTime(instant, { offsetMinutes: -0 }).offsetMinutes, 0)).toBe(true);
    expect(formatCemDateTime(instant, { offsetMinutes: -0 })).toBe('2025-01-15T12:00:00+00:00');
  });
});

describe('reading the zone offset Intl writes', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** Makes Intl write `name` as the zone name (or leave the part out for `undefined`). */
  function intlWrites(name: string | undefined): void {
    const real = Intl.DateTimeFormat.prototype.formatToParts;
    vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts').mockImplementation(function (this: Intl.DateTimeFormat, date?: Date | number) {
      const parts = real.call(this, date);
      return name === undefined ? parts.filter((p) => p.type !== 'timeZoneName') : parts.map((p) => (p.type === 'timeZoneName' ? { ...p, value: name } : p));
    });
  }

  const instant = new Date('2025-01-15T12:00:00Z');

  it.each([undefined, 'xGMT+01:00', 'GMT+01:00x', 'GMT+1', 'UTC+01:00'])('refuses the zone name %j as unreadable', (name) => {
    intlWrites(name);
    const error = thrown(() => formatCemDateTime(instant, { timeZone: 'Europe/Paris' }));
    expect(error).toBeInstanceOf(CemArgumentError);
    expect(error.message).toBe('cannot read the offset of "Europe/Paris"');
  });

  it('reads GMT-00:00 as offset +0 and GMT+05:45:30 as +05:45', () => {
    intlWrites('GMT-00:00');
    expect(Object.is(cemDateTime(instant, { timeZone: 'Europe/London' }).offsetMinutes, 0)).toBe(true);
    vi.restoreAllMocks();
    intlWrites('GMT+05:45:30');
    expect(formatCemDateTime(instant, { timeZone: 'Asia/Kathmandu' })).toBe('2025-01-15T17:45:00+05:45');
  });
});
