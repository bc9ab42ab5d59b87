/**
 * `xs:dateTime` values of CEM documents (`MessageOriginated`, `RespondByDate`; draft-14 §3.1).
 *
 * Reading is tolerant (`Z`, fractions and values without an offset are accepted, as the schema
 * allows); writing is spec-exact: `yyyy-MM-ddTHH:mm:ss±hh:mm`, never `Z`, never fractions, the
 * form every peer (mendelson included) accepts.
 *
 * @module
 */
import { CemArgumentError, CemXmlError } from '../errors.js';
import type { CemDateTime } from './model.js';
import { trimXmlSpace } from './xml/xml-space.js';
import { quote } from '../quote.js';

/** The zone a date is written in: a fixed offset in minutes, or an IANA time-zone name. */
export type CemZone = { readonly offsetMinutes: number } | { readonly timeZone: string };

const LEXICAL =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/;
const MAX_OFFSET = 14 * 60;
const MINUTE_MS = 60_000;

/**
 * Parses an `xs:dateTime` as a CEM peer may write it.
 *
 * Accepted: `yyyy-MM-ddTHH:mm:ss`, optional fractional seconds (read to the millisecond,
 * truncated), then `Z`, `±hh:mm` (from -14:00 to +14:00) or nothing (then `offsetMinutes` is
 * `null` and the value is read as UTC). Surrounding XML whitespace is trimmed. Years are four
 * digits from 0001 to 9999. `24:00:00` (fraction zero only) is accepted as the schema allows and
 * denotes midnight at the start of the next day. Impossible dates (Feb 30, Feb 29 outside leap
 * years), leap seconds and any other form are refused.
 *
 * @example
 * ```ts
 * const d = parseCemDateTime('2005-08-30T00:30:00-05:00')
 * d.offsetMinutes // -300
 * d.instant.toISOString() // '2005-08-30T05:30:00.000Z'
 * ```
 * @throws CemXmlError `CEM_XML_DATE` when the value is not such an `xs:dateTime`.
 * @see draft-14 §3.1 (MessageOriginated, RespondByDate), XML Schema Part 2 §3.2.7.
 */
export function parseCemDateTime(text: string): CemDateTime {
  const lexical = typeof text === 'string' ? trimXmlSpace(text) : '';
  const m = LEXICAL.exec(lexical);
  if (m === null) throw dateError(lexical);
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number, number, number, number, number, number,
  ];
  const fraction = m[7] ?? '';
  const offsetMinutes = m[8] === undefined ? null : parseOffset(m[8], lexical);
  const isEndOfDay = hour === 24 && minute === 0 && second === 0 && /^0*$/.test(fraction);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw dateError(lexical);
  }
  if ((hour > 23 && !isEndOfDay) || minute > 59 || second > 59) throw dateError(lexical);
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const local = utcMillis(year, month, day, hour, minute, second, millis);
  const instant = new Date(local - (offsetMinutes ?? 0) * MINUTE_MS);
  if (Number.isNaN(instant.getTime())) throw dateError(lexical);
  return Object.freeze({ lexical, instant: Object.freeze(instant), offsetMinutes });
}

/**
 * Formats an instant exactly as CEM wants it: `yyyy-MM-ddTHH:mm:ss±hh:mm`, the local time of
 * `zone` at that instant with the zone's true offset (half-hour and 45-minute offsets included).
 * Never `Z`, never fractions: milliseconds are truncated (towards the past). The default zone is
 * UTC (`+00:00`). For an IANA zone whose historical offset has seconds (local mean time before
 * ~1900), the offset is truncated to whole minutes and the local time computed from it, so the
 * value still denotes the given instant (to the second).
 *
 * @example
 * ```ts
 * formatCemDateTime(new Date('2025-01-15T12:00:00Z'), { timeZone: 'Asia/Kathmandu' })
 * // '2025-01-15T17:45:00+05:45'
 * formatCemDateTime(new Date('2025-01-15T12:00:00.999Z')) // '2025-01-15T12:00:00+00:00'
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for an invalid `Date`, a year outside 0001..9999 in
 * that zone, an offset that is not a whole number of minutes within ±14:00, or an unknown zone.
 * @see draft-14 §3.1 ("local time with a UTC offset").
 */
export function formatCemDateTime(instant: Date, zone?: CemZone): string {
  const ms = instantMillis(instant);
  const offset = resolveOffset(ms, zone);
  const local = new Date(truncateToSecond(ms) + offset * MINUTE_MS);
  const year = local.getUTCFullYear();
  if (year < 1 || year > 9999) {
    throw new CemArgumentError(`year ${year} cannot be written as a CEM date`);
  }
  const date = `${pad(year, 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  return `${date}T${time}${formatOffset(offset)}`;
}

/**
 * Builds a {@link CemDateTime} for a builder: the spec-exact lexical form of
 * {@link formatCemDateTime}, the instant it denotes (truncated to the second) and the offset.
 *
 * @example
 * ```ts
 * const originated = cemDateTime(now, { timeZone: 'America/New_York' })
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` as {@link formatCemDateTime}.
 * @see draft-14 §3.1.
 */
export function cemDateTime(instant: Date, zone?: CemZone): CemDateTime {
  const lexical = formatCemDateTime(instant, zone);
  const offsetMinutes = resolveOffset(instantMillis(instant), zone);
  const seconds = new Date(truncateToSecond(instantMillis(instant)));
  return Object.freeze({ lexical, instant: Object.freeze(seconds), offsetMinutes });
}

function parseOffset(text: string, lexical: string): number {
  if (text === 'Z') return 0;
  const hours = Number(text.slice(1, 3));
  const minutes = Number(text.slice(4, 6));
  if (minutes > 59) throw dateError(lexical);
  const total = hours * 60 + minutes;
  if (total > MAX_OFFSET) throw dateError(lexical);
  if (total === 0) return 0;
  return text.startsWith('-') ? -total : total;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** `Date.UTC` maps years 0..99 to 1900..1999; `setUTCFullYear` does not. */
function utcMillis(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}

function instantMillis(instant: Date): number {
  const ms = instant instanceof Date ? instant.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw new CemArgumentError('instant must be a valid Date');
  return ms;
}

function truncateToSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

function resolveOffset(ms: number, zone: CemZone | undefined): number {
  if (zone === undefined) return 0;
  if (typeof zone !== 'object' || zone === null) throw new CemArgumentError('zone must be an object');
  const hasOffset = 'offsetMinutes' in zone;
  const hasZone = 'timeZone' in zone;
  if (hasOffset === hasZone) {
    throw new CemArgumentError('zone must have exactly one of offsetMinutes and timeZone');
  }
  if ('offsetMinutes' in zone) {
    const offset = zone.offsetMinutes;
    if (!Number.isInteger(offset) || Math.abs(offset) > MAX_OFFSET) {
      throw new CemArgumentError(`offsetMinutes must be a whole number within ±${MAX_OFFSET}`);
    }
    return offset === 0 ? 0 : offset;
  }
  return zoneOffset(ms, zone.timeZone);
}

/** The offset of an IANA zone at an instant, via `Intl` `longOffset` (`GMT+05:45`, `GMT`). */
function zoneOffset(ms: number, timeZone: string): number {
  let name: string | undefined;
  try {
    const format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    name = format.formatToParts(ms).find((part) => part.type === 'timeZoneName')?.value;
  } catch (cause) {
    throw new CemArgumentError(`unknown time zone ${quote(timeZone)}`, { cause });
  }
  const m = name === undefined ? null : /^GMT(?:([+-])(\d{2}):(\d{2})(?::\d{2})?)?$/.exec(name);
  if (m === null) throw new CemArgumentError(`cannot read the offset of ${quote(timeZone)}`);
  if (m[1] === undefined) return 0;
  const total = Number(m[2]) * 60 + Number(m[3]);
  if (total === 0) return 0;
  return m[1] === '-' ? -total : total;
}

function formatOffset(offset: number): string {
  const abs = Math.abs(offset);
  return `${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

function dateError(lexical: string): CemXmlError {
  const shown = lexical.length > 64 ? `${lexical.slice(0, 64)}…` : lexical;
  return new CemXmlError('CEM_XML_DATE', `not a valid xs:dateTime: ${quote(shown)}`);
}
