/**
 * The administrator's decisions on a received Request, and the delivery of our Responses.
 *
 * @module
 */
import { sendFailedAlert } from '../../policy/alerts.js';
import { assertNever } from '../assert-never.js';
import { normalizeFingerprint } from '../relationship/cert-ref.js';
import type { CemEffect } from '../effects.js';
import type { CemEvent, CertificateDecision } from '../events.js';
import { freeze } from '../freeze.js';
import { acceptPartnerCertificate, rejectPartnerCertificate, responseEffects, storeAndComplete } from './inbound-accept.js';
import { getInbound, getRelationship, putInbound } from '../lookup.js';
import type { CemState, InboundExchange, InboundItem } from '../model.js';
import { putRelationship } from '../relationship/relationship-slots.js';
import { done, ignored, notify, type TransitionResult } from '../result.js';
import { claimTodaysRetryReminder } from '../tick-alerts.js';
import { isRecord, isText } from '../validate.js';

function decisionsAreWellFormed(decisions: unknown): decisions is readonly CertificateDecision[] {
  return Array.isArray(decisions) && decisions.length > 0 && decisions.every((d: unknown) =>
    isRecord(d) && isText(d['fingerprint']) && typeof d['accept'] === 'boolean' && (d['reason'] === undefined || typeof d['reason'] === 'string'));
}

function onDecide(state: CemState, event: Extract<CemEvent, { type: 'decide' }>, now: Date): TransitionResult {
  const ex = getInbound(state, event.exchangeKey);
  if (ex === undefined) return ignored(state, 'unknownExchange', `no received request ${String(event.exchangeKey)}`);
  if (ex.status !== 'awaitingDecision') return ignored(state, 'invalidState', `request ${ex.key} is ${ex.status}`);
  if (!decisionsAreWellFormed(event.decisions)) return ignored(state, 'invalidEvent', 'decisions must name fingerprints and accept flags');
  const rel = getRelationship(state, ex.relationshipId);
  if (rel === undefined) return ignored(state, 'unknownRelationship', `no relationship ${ex.relationshipId}`);
  const byFingerprint = new Map(event.decisions.map((d) => [normalizeFingerprint(d.fingerprint), d]));
  for (const fingerprint of byFingerprint.keys()) {
    if (!ex.items.some((i) => i.cert.fingerprint === fingerprint)) return ignored(state, 'unknownCertificate', `request ${ex.key} has no certificate ${fingerprint}`);
  }
  let current = rel;
  const effects: CemEffect[] = [];
  let changed = false;
  const items = ex.items.map((item): InboundItem => {
    const decision = byFingerprint.get(item.cert.fingerprint);
    if (decision === undefined || item.decision !== 'pending') return item;
    changed = true;
    const decided = freeze({ ...item, decision: decision.accept ? ('accepted' as const) : ('rejected' as const), reason: decision.accept ? null : (decision.reason ?? null) });
    if (decided.decision === 'accepted') {
      const result = acceptPartnerCertificate(current, decided, ex.key, now);
      current = result.rel;
      effects.push(...result.effects);
    } else {
      current = rejectPartnerCertificate(current, decided, ex.key, now);
    }
    return decided;
  });
  if (!changed) return ignored(state, 'invalidState', `the named certificates of ${ex.key} are already decided`);
  const step = storeAndComplete(putRelationship(state, current), freeze({ ...ex, items: freeze(items) }), now);
  return done(step.state, [...effects, ...step.effects]);
}

/**
 * Sends our Responses of a received Request again after a failure: the identical effects (same
 * requestId, `MessageOriginated`, echoed identifiers).
 *
 * @example
 * ```ts
 * retryInbound(state, exchange)
 * ```
 * @throws never.
 */
export function retryInbound(state: CemState, ex: InboundExchange): TransitionResult {
  if (ex.status !== 'responseFailed') return ignored(state, 'invalidState', `request ${ex.key} is ${ex.status}, not responseFailed`);
  const rel = getRelationship(state, ex.relationshipId);
  if (rel === undefined) return ignored(state, 'unknownRelationship', `no relationship ${ex.relationshipId}`);
  const next = freeze({ ...ex, status: 'responding' as const, attempts: ex.attempts + 1 });
  return done(putInbound(state, next), responseEffects(rel, next));
}

type InboundEvent = Extract<CemEvent, { type: 'decide' | 'responseDelivered' | 'responseFailed' }>;

/**
 * Handles `decide` (the administrator accepts or rejects any subset of the pending
 * certificates, with reasons; when none is left pending the Responses go out),
 * `responseDelivered` (responding → answered) and `responseFailed` (responding or answered →
 * responseFailed, plus a `sendFailed` alert and, from the next alert day, a daily `retryNeeded`
 * reminder until it is retried; `retry` sends the identical Responses).
 *
 * @example
 * ```ts
 * onInboundEvent(state, { type: 'decide', exchangeKey: 'acme/r1', decisions: [{ fingerprint, accept: true }] }, now)
 * ```
 * @throws never.
 */
export function onInboundEvent(state: CemState, event: InboundEvent, now: Date): TransitionResult {
  switch (event.type) {
    case 'decide':
      return onDecide(state, event, now);
    case 'responseDelivered': {
      const ex = getInbound(state, event.exchangeKey);
      if (ex === undefined) return ignored(state, 'unknownExchange', `no received request ${String(event.exchangeKey)}`);
      if (ex.status === 'answered') return ignored(state, 'duplicate', `request ${ex.key} is already answered`);
      if (ex.status !== 'responding') return ignored(state, 'invalidState', `request ${ex.key} is ${ex.status}`);
      return done(putInbound(state, freeze({ ...ex, status: 'answered' as const, lastError: null })));
    }
    case 'responseFailed': {
      const ex = getInbound(state, event.exchangeKey);
      if (ex === undefined) return ignored(state, 'unknownExchange', `no received request ${String(event.exchangeKey)}`);
      if (ex.status !== 'responding' && ex.status !== 'answered') return ignored(state, 'invalidState', `request ${ex.key} is ${ex.status}`);
      const error = typeof event.error === 'string' ? event.error : 'unknown error';
      const stored = claimTodaysRetryReminder(putInbound(state, freeze({ ...ex, status: 'responseFailed' as const, lastError: error })), 'response', ex.key, now);
      return done(stored, [
        notify(sendFailedAlert(ex.relationshipId, ex.key, 'response', error, ex.attempts)),
      ]);
    }
    default:
      return assertNever(event);
  }
}
