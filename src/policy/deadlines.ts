/**
 * Deadline arithmetic: respond-by times and the "day" of daily alerts.
 *
 * Every function takes `now`; none reads the clock.
 *
 * @module
 */
import type { CemSettings, IsoInstant } from '../state/model.js';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/**
 * The ISO-8601 UTC form of an instant, as stored in the state.
 *
 * @example
 * ```ts
 * toIso(new Date(Date.UTC(2026, 0, 2))) // '2026-01-02T00:00:00.000Z'
 * ```
 * @throws never for a valid `Date` (callers validate dates first).
 */
export function toIso(instant: Date): IsoInstant {
  return instant.toISOString();
}

/**
 * Milliseconds since the epoch of a stored instant (`NaN` when it is not a date).
 *
 * @example
 * ```ts
 * instantMs('1970-01-01T00:00:01.000Z') // 1000
 * ```
 * @throws never.
 */
export function instantMs(iso: IsoInstant): number {
  return Date.parse(iso);
}

/**
 * True when the stored instant is at or before `now`.
 *
 * @example
 * ```ts
 * isDue('2026-01-01T00:00:00.000Z', new Date('2026-01-02T00:00:00Z')) // true
 * ```
 * @throws never.
 */
export function isDue(iso: IsoInstant, now: Date): boolean {
  return instantMs(iso) <= now.getTime();
}

/**
 * `instant` plus a number of days (fractions allowed).
 *
 * @example
 * ```ts
 * addDays(new Date('2026-01-01T00:00:00Z'), 30).toISOString() // '2026-01-31T00:00:00.000Z'
 * ```
 * @throws never.
 */
export function addDays(instant: Date, days: number): Date {
  return new Date(instant.getTime() + days * DAY_MS);
}

/**
 * The respond-by time of a Request sent at `now`: now + `settings.maxResponseDays`
 * (Cleo's "Maximum Allowed CEM Response Days"; draft §3.1 `RespondByDate`).
 *
 * @example
 * ```ts
 * respondByFor(new Date('2026-01-01T00:00:00Z'), { ...DEFAULT_SETTINGS, maxResponseDays: 10 })
 * // '2026-01-11T00:00:00.000Z'
 * ```
 * @throws never.
 */
export function respondByFor(now: Date, settings: Pick<CemSettings, 'maxResponseDays'>): IsoInstant {
  return toIso(addDays(now, settings.maxResponseDays));
}

/**
 * The alert day (`yyyy-mm-dd`) of `now` in the configured UTC offset. A daily alert fires at
 * most once per alert day.
 *
 * @example
 * ```ts
 * alertDay(new Date('2026-03-01T03:00:00Z'), -300) // '2026-02-28' (UTC-5)
 * ```
 * @throws never.
 */
export function alertDay(now: Date, offsetMinutes: number): string {
  return new Date(now.getTime() + offsetMinutes * MINUTE_MS).toISOString().slice(0, 10);
}

/**
 * True when a certificate's `notAfter` falls within `days` days of `now` (or has passed).
 *
 * @example
 * ```ts
 * expiresWithin('2026-01-10T00:00:00.000Z', new Date('2026-01-01T00:00:00Z'), 30) // true
 * ```
 * @throws never.
 */
export function expiresWithin(notAfter: IsoInstant, now: Date, days: number): boolean {
  return instantMs(notAfter) - now.getTime() <= days * DAY_MS;
}
