/**
 * The "fire once per alert day" bookkeeping of daily alerts, kept in `state.alertLog`: a daily
 * alert has a *subject* (`requestOverdue:<requestId>`) and fires when `alertLog[subject]` is not
 * today's alert day; its de-duplication key is `<subject>@<day>`.
 *
 * @module
 */
import { freeze } from '../state/freeze.js';
import { alertDay } from './deadlines.js';

/** What the daily bookkeeping answered for one subject. */
export interface DailyClaim {
  /** True when the subject has not fired today: fire now. */
  readonly fire: boolean;
  /** The alert day of `now`. */
  readonly day: string;
  /** The log with the subject marked for today (the same object when `fire` is false). */
  readonly alertLog: Readonly<Record<string, string>>;
}

/**
 * Claims today's firing of a daily alert subject.
 *
 * @example
 * ```ts
 * const claim = claimDaily(state.alertLog, `requestOverdue:${id}`, now, 0)
 * if (claim.fire) effects.push(notify(requestOverdueAlert(rel, ex, claim.day)))
 * ```
 * @throws never.
 */
export function claimDaily(alertLog: Readonly<Record<string, string>>, subject: string, now: Date, offsetMinutes: number): DailyClaim {
  const day = alertDay(now, offsetMinutes);
  if (Object.hasOwn(alertLog, subject) && alertLog[subject] === day) return freeze({ fire: false, day, alertLog });
  return freeze({ fire: true, day, alertLog: freeze({ ...alertLog, [subject]: day }) });
}

/**
 * The log without entries of earlier days (they can no longer stop a firing). Keeps the log as
 * small as the number of alerts fired today.
 *
 * @example
 * ```ts
 * pruneAlertLog(state.alertLog, now, 0)
 * ```
 * @throws never.
 */
export function pruneAlertLog(alertLog: Readonly<Record<string, string>>, now: Date, offsetMinutes: number): Readonly<Record<string, string>> {
  const day = alertDay(now, offsetMinutes);
  const entries = Object.entries(alertLog);
  if (entries.every(([, d]) => d === day)) return alertLog;
  return freeze(Object.fromEntries(entries.filter(([, d]) => d === day)));
}
