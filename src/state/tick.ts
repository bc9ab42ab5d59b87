/**
 * `tick`: time passed. Deadlines, scheduled activations, server installs and daily alerts.
 *
 * @module
 */
import { claimDaily, pruneAlertLog } from '../policy/alert-days.js';
import { activatedAlert, requestOverdueAlert } from '../policy/alerts.js';
import { isDue } from '../policy/deadlines.js';
import type { CemEffect } from './effects.js';
import { freeze } from './freeze.js';
import { getRelationship, putOutbound } from './lookup.js';
import type { CemState, OutboundExchange } from './model.js';
import { moveExchangeSuccessors } from './exchange/outbound-delivery.js';
import { ALL_SLOTS, changeSlot, putRelationship, slotAt } from './relationship/relationship-slots.js';
import { done, notify, type TransitionResult } from './result.js';
import { SERVER_PROTOCOLS, settleServer } from './listener/servers.js';
import { dropFinishedExchanges } from './retention.js';
import { closeIfSettled } from './relationship/settle.js';
import { activateSuccessor } from './relationship/slots.js';
import { dailyAlerts } from './tick-alerts.js';

interface Step {
  state: CemState;
  effects: CemEffect[];
}

/**
 * Our pending (or still sending) Request passed its respond-by time: expired, with its
 * successors; signing and TLS client ones activate when configured (draft §2.4 MAY), but only
 * for a Request whose delivery was confirmed: one still `sending` is marked `undelivered` and
 * activates nothing (the partner may never have seen it).
 */
function expire(step: Step, ex: OutboundExchange, now: Date): void {
  const rel = getRelationship(step.state, ex.relationshipId);
  const undelivered = ex.status === 'sending';
  step.state = putOutbound(step.state, freeze({ ...ex, status: 'expired' as const, ...(undelivered ? { undelivered: true } : {}) }));
  if (rel === undefined) return;
  let current = moveExchangeSuccessors(rel, ex.id, 'pending', 'expired', now);
  if (step.state.settings.useAfterRespondBy && !undelivered) {
    for (const usage of ['signing', 'tlsClient'] as const) {
      const successor = current.local[usage].successor;
      if (successor === null || successor.exchangeId !== ex.id || successor.status !== 'expired') continue;
      const change = changeSlot(current, { side: 'local', usage }, (slot) => activateSuccessor(slot, now, 'respondByPassed', 'replaced'));
      current = change.rel;
      step.effects.push(...change.effects, notify(activatedAlert('certificateActivated', { relationshipId: rel.id, side: 'local', usage }, successor.cert, 'respondByPassed')));
    }
  }
  step.state = putRelationship(step.state, current);
  const claim = claimDaily(step.state.alertLog, `requestOverdue:${ex.id}`, now, step.state.settings.alertDayOffsetMinutes);
  step.state = freeze({ ...step.state, alertLog: claim.alertLog });
  if (claim.fire) step.effects.push(notify(requestOverdueAlert(rel.id, ex.id, ex.respondBy, claim.day)));
}

/** Scheduled successors whose time has come become active (old archived). */
function activateScheduled(step: Step, now: Date): void {
  for (const rel of Object.values(step.state.relationships)) {
    let current = rel;
    const exchanges: (string | null)[] = [];
    for (const address of ALL_SLOTS) {
      const successor = slotAt(current, address).successor;
      if (successor === null || successor.status !== 'scheduled' || successor.activateAt === null || !isDue(successor.activateAt, now)) continue;
      const change = changeSlot(current, address, (slot) => activateSuccessor(slot, now, 'schedule', 'replaced'));
      current = change.rel;
      exchanges.push(successor.exchangeId);
      step.effects.push(...change.effects, notify(activatedAlert('scheduledActivated', { relationshipId: rel.id, side: address.side, usage: address.usage }, successor.cert, 'schedule')));
    }
    if (current === rel) continue;
    step.state = putRelationship(step.state, current);
    for (const id of exchanges) step.state = closeIfSettled(step.state, id);
  }
}

/**
 * Handles `tick`, in order: prune the alert log to today; drop finished exchanges whose retention
 * passed (`dropFinishedExchanges`); expire our pending or still sending Requests past their
 * respond-by time (`requestOverdue` at once; a later `requestDelivered` or `requestFailed` for
 * them is ignored, so they never return to `pending`); activate due schedules (`scheduledActivated`); settle every listener
 * (install, conflict, daily "still waiting"); then the daily alerts. Dropping comes first, so an
 * exchange this tick finishes is stamped (`finishedAt`) before any later tick weighs it.
 *
 * @example
 * ```ts
 * const { state: next, effects } = onTick(state, now)
 * ```
 * @throws never.
 */
export function onTick(state: CemState, now: Date): TransitionResult {
  const pruned = pruneAlertLog(state.alertLog, now, state.settings.alertDayOffsetMinutes);
  const step: Step = { state: dropFinishedExchanges(pruned === state.alertLog ? state : freeze({ ...state, alertLog: pruned }), now), effects: [] };
  for (const ex of Object.values(step.state.outbound)) {
    const waiting = ex.status === 'pending' || ex.status === 'sending';
    if (ex.channel === 'cem' && waiting && ex.respondBy !== null && isDue(ex.respondBy, now)) expire(step, ex, now);
  }
  activateScheduled(step, now);
  for (const protocol of SERVER_PROTOCOLS) {
    const settled = settleServer(step.state, protocol, now, true);
    step.state = settled.state;
    step.effects.push(...settled.effects);
  }
  const daily = dailyAlerts(step.state, now);
  if (daily.alertLog !== step.state.alertLog) step.state = freeze({ ...step.state, alertLog: daily.alertLog });
  return done(step.state, [...step.effects, ...daily.effects]);
}
