/**
 * When an aggregate next needs a tick: the earliest instant at which `tick` would change its
 * relationship (or listener) or raise an alert for it. The engine keeps one entry per aggregate
 * in its due index, rewritten in the same commit as the aggregate, so a tick reads only what is
 * due. The rule the tests hold it to: a tick of the aggregate before its due instant changes
 * nothing and raises nothing (pruning yesterday's alert-log entries aside, which is bookkeeping).
 * Being early is harmless (a tick that finds nothing re-files the aggregate); being late is a
 * missed deadline, so every case of `onTick` has its instant here.
 *
 * @module
 */
import { alertDay, instantMs } from '../../policy/deadlines.js';
import { retryNeededSubject } from '../../policy/alerts.js';
import { assessServerConsensus, isBlocked } from '../../policy/server-consensus.js';
import { lastActivity, retentionDays } from '../../policy/retention.js';
import { isDroppable, referencedExchanges } from '../retention.js';
import { ALL_SLOTS, slotAt } from '../relationship/relationship-slots.js';
import { getRelationship, getServer } from '../lookup.js';
import type { CemState, IsoInstant, ServerProtocol } from '../model.js';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** Far enough ahead that only the time test of `isDroppable` can still say no. */
const FAR_FUTURE = new Date(8.64e15);

/** The earliest of candidate instants (ms), ignoring invalid ones. */
class Earliest {
  at = Number.POSITIVE_INFINITY;
  add(ms: number): void {
    if (Number.isFinite(ms) && ms < this.at) this.at = ms;
  }
  addIso(iso: IsoInstant | null | undefined): void {
    if (typeof iso === 'string') this.add(instantMs(iso));
  }
  /** An instant that matters only while it lies ahead (once passed, nothing waits for it). */
  addFuture(iso: IsoInstant | null | undefined, now: Date): void {
    if (typeof iso === 'string' && instantMs(iso) > now.getTime()) this.add(instantMs(iso));
  }
  result(): number | null {
    return Number.isFinite(this.at) ? this.at : null;
  }
}

/**
 * The first instant of the alert day after the one `now` falls in.
 *
 * @example
 * ```ts
 * nextAlertDay(new Date('2027-01-01T10:00:00Z'), 60) // ms of 2027-01-01T23:00:00Z
 * ```
 * @throws never.
 */
export function nextAlertDay(now: Date, offsetMinutes: number): number {
  return Date.parse(`${alertDay(now, offsetMinutes)}T00:00:00.000Z`) + DAY_MS - offsetMinutes * MINUTE_MS;
}

/** A daily alert whose condition holds: now when it has not fired today, else the next alert day. */
function daily(due: Earliest, log: Readonly<Record<string, string>>, subject: string, now: Date, offset: number): void {
  due.add(Object.hasOwn(log, subject) && log[subject] === alertDay(now, offset) ? nextAlertDay(now, offset) : now.getTime());
}

/** An active certificate's expiry warning: from `notAfter - days`, then daily. */
function expiry(due: Earliest, log: Readonly<Record<string, string>>, subject: string, notAfter: IsoInstant, now: Date, days: number, offset: number): void {
  const warnAt = instantMs(notAfter) - days * DAY_MS;
  if (!Number.isFinite(warnAt)) return;
  if (warnAt > now.getTime()) due.add(warnAt);
  else daily(due, log, subject, now, offset);
}

/**
 * The due instant (ms) of one relationship's aggregate: its Requests' respond-by times, scheduled
 * activations, server readiness times, expiry warnings, retention of its finished exchanges and
 * its daily alerts. `null` when nothing will ever be due without a new event. `alertLog` is the
 * aggregate's own part of the log.
 *
 * @example
 * ```ts
 * const at = relationshipDue(state, 'acme', log, now)
 * ```
 * @throws never.
 */
export function relationshipDue(state: CemState, relationshipId: string, alertLog: Readonly<Record<string, string>>, now: Date): number | null {
  const rel = getRelationship(state, relationshipId);
  if (rel === undefined) return null;
  const { settings } = state;
  const offset = settings.alertDayOffsetMinutes;
  const due = new Earliest();
  if (Object.keys(alertLog).length > 0) due.add(nextAlertDay(now, offset)); // yesterday's entries are pruned
  const days = retentionDays(settings);
  const referenced = referencedExchanges(state);
  for (const ex of Object.values(state.outbound)) {
    if (ex.relationshipId !== rel.id) continue;
    if (ex.channel === 'cem' && (ex.status === 'pending' || ex.status === 'sending')) due.addIso(ex.respondBy);
    if (ex.status === 'expired') daily(due, alertLog, `requestOverdue:${ex.id}`, now, offset);
    if (ex.status === 'sendFailed') daily(due, alertLog, retryNeededSubject(ex.channel === 'cem' ? 'request' : 'email', ex.id), now, offset);
    if (isDroppable(ex, referenced, FAR_FUTURE, days)) due.add(lastActivity(ex) + days * DAY_MS);
  }
  for (const ex of Object.values(state.inbound)) {
    if (ex.relationshipId !== rel.id) continue;
    if (ex.status === 'responseFailed') daily(due, alertLog, retryNeededSubject('response', ex.key), now, offset);
    if (ex.status === 'awaitingDecision') {
      const overdue = ex.respondBy !== null && instantMs(ex.respondBy) <= now.getTime();
      if (!overdue) due.addIso(ex.respondBy);
      daily(due, alertLog, `${overdue ? 'responseOverdue' : 'requestAwaitingAnswer'}:${ex.key}`, now, offset);
    }
    if (isDroppable(ex, referenced, FAR_FUTURE, days)) due.add(lastActivity(ex) + days * DAY_MS);
  }
  for (const address of ALL_SLOTS) {
    const slot = slotAt(rel, address);
    if (slot.successor?.status === 'scheduled') due.addIso(slot.successor.activateAt);
    for (const active of slot.active) {
      const subject = `certificateExpiring:${rel.id}:${address.side}:${address.usage}:${active.cert.fingerprint}`;
      expiry(due, alertLog, subject, active.cert.notAfter, now, settings.expiryWarningDays, offset);
    }
  }
  if (rel.serverReadiness?.status === 'scheduled') due.addFuture(rel.serverReadiness.activateAt, now);
  return due.result();
}

/**
 * The due instant (ms) of one listener's aggregate: the daily reminder while its candidate
 * waits, the candidate's `installAfter`, the installed certificate's expiry warning, and
 * yesterday's alert-log entries. The times at which a partner's stance changes by itself (its
 * scheduled time, its Request's respond-by time) are in that partner's own due instant, whose tick
 * settles the listener; so the listener's due instant never depends on its partners.
 *
 * @example
 * ```ts
 * const at = listenerDue(state, 'HTTP', log, now)
 * ```
 * @throws never.
 */
export function listenerDue(state: CemState, protocol: ServerProtocol, alertLog: Readonly<Record<string, string>>, now: Date): number | null {
  const slot = getServer(state, protocol);
  const offset = state.settings.alertDayOffsetMinutes;
  const due = new Earliest();
  if (Object.keys(alertLog).length > 0) due.add(nextAlertDay(now, offset));
  const candidate = slot.candidate;
  if (candidate !== null && candidate.installRequestedAt === null) {
    const consensus = assessServerConsensus(state, protocol, now);
    // The daily reminder fires while someone is waited for or rejects it (see `settleServer`).
    if (!consensus.install && isBlocked(consensus)) {
      daily(due, alertLog, `serverCertificatePending:${protocol}:${candidate.cert.fingerprint}`, now, offset);
    }
    if (consensus.install) due.add(now.getTime());
    // The install may wait for its time. A partner's stance changing by itself (its scheduled time,
    // its Request's respond-by time) is the partner's own due time: its tick settles the listener.
    due.addFuture(candidate.installAfter, now);
  }
  if (slot.installed !== null) {
    expiry(due, alertLog, `certificateExpiring:-:local:${protocol} server:${slot.installed.cert.fingerprint}`, slot.installed.cert.notAfter, now, state.settings.expiryWarningDays, offset);
  }
  return due.result();
}
