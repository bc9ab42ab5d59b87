/**
 * The daily alerts a tick raises: our overdue Requests, failed Requests, emails and Responses
 * nobody retried (`retryNeeded`), received Requests awaiting an answer or overdue, and active
 * certificates close to expiry. Each fires at most once per alert day.
 *
 * @module
 */
import { claimDaily } from '../policy/alert-days.js';
import { awaitingAnswerAlert, expiringAlert, requestOverdueAlert, retryNeededAlert, retryNeededSubject, type AlertSlot } from '../policy/alerts.js';
import { expiresWithin, isDue } from '../policy/deadlines.js';
import type { Alert, CemEffect } from './effects.js';
import { freeze } from './freeze.js';
import type { CemState, CertRef } from './model.js';
import { ALL_SLOTS, slotAt } from './relationship/relationship-slots.js';
import { notify } from './result.js';

/** The alert log after a tick's daily alerts, and the alerts fired. */
export interface DailyAlerts {
  readonly alertLog: Readonly<Record<string, string>>;
  readonly effects: readonly CemEffect[];
}

/**
 * Fires today's daily alerts that have not fired yet.
 *
 * @example
 * ```ts
 * const { alertLog, effects } = dailyAlerts(state, now)
 * ```
 * @throws never.
 */
export function dailyAlerts(state: CemState, now: Date): DailyAlerts {
  let log = state.alertLog;
  const effects: CemEffect[] = [];
  const offset = state.settings.alertDayOffsetMinutes;
  const fire = (subject: string, build: (day: string) => Alert): void => {
    const claim = claimDaily(log, subject, now, offset);
    log = claim.alertLog;
    if (claim.fire) effects.push(notify(build(claim.day)));
  };
  for (const ex of Object.values(state.outbound)) {
    if (ex.status === 'expired') fire(`requestOverdue:${ex.id}`, (day) => requestOverdueAlert(ex.relationshipId, ex.id, ex.respondBy, day));
    if (ex.status === 'sendFailed') {
      const what = ex.channel === 'cem' ? 'request' : 'email';
      fire(retryNeededSubject(what, ex.id), (day) => retryNeededAlert(ex.relationshipId, ex.id, what, ex.lastError, ex.attempts, day));
    }
  }
  for (const ex of Object.values(state.inbound)) {
    if (ex.status === 'responseFailed') fire(retryNeededSubject('response', ex.key), (day) => retryNeededAlert(ex.relationshipId, ex.key, 'response', ex.lastError, ex.attempts, day));
    if (ex.status !== 'awaitingDecision') continue;
    const kind = ex.respondBy !== null && isDue(ex.respondBy, now) ? 'responseOverdue' : 'requestAwaitingAnswer';
    fire(`${kind}:${ex.key}`, (day) => awaitingAnswerAlert(kind, ex.relationshipId, ex.key, ex.requestId ?? ex.key, ex.respondBy, day));
  }
  const days = state.settings.expiryWarningDays;
  const expiring = (slot: AlertSlot, cert: CertRef): void => {
    if (!expiresWithin(cert.notAfter, now, days)) return;
    fire(`certificateExpiring:${slot.relationshipId ?? '-'}:${slot.side}:${slot.usage}:${cert.fingerprint}`, (day) => expiringAlert(slot, cert, now, day));
  };
  for (const rel of Object.values(state.relationships)) {
    for (const address of ALL_SLOTS) {
      for (const active of slotAt(rel, address).active) expiring({ relationshipId: rel.id, side: address.side, usage: address.usage }, active.cert);
    }
  }
  for (const server of Object.values(state.servers)) {
    if (server?.installed) expiring({ relationshipId: null, side: 'local', usage: `${server.protocol} server` }, server.installed.cert);
  }
  return { alertLog: log, effects };
}

/**
 * The state after a send failed, with today's `retryNeeded` reminder for it claimed: the
 * failure's own `sendFailed` alert is today's notice, so the daily reminders start on the next
 * alert day.
 *
 * @example
 * ```ts
 * const next = claimTodaysRetryReminder(state, 'request', ex.id, now)
 * ```
 * @throws never.
 */
export function claimTodaysRetryReminder(state: CemState, what: 'request' | 'response' | 'email', exchangeId: string, now: Date): CemState {
  const claim = claimDaily(state.alertLog, retryNeededSubject(what, exchangeId), now, state.settings.alertDayOffsetMinutes);
  return claim.alertLog === state.alertLog ? state : freeze({ ...state, alertLog: claim.alertLog });
}
