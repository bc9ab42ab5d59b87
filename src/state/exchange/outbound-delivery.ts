/**
 * Delivery of our Requests and emails: delivered, failed, retried.
 *
 * @module
 */
import { sendFailedAlert } from '../../policy/alerts.js';
import { assertNever } from '../assert-never.js';
import type { CemEvent } from '../events.js';
import { emailEffect, requestEffect } from '../relationship/emails.js';
import { freeze } from '../freeze.js';
import { getOutbound, getRelationship, putOutbound } from '../lookup.js';
import type { CemState, OutboundExchange, Relationship, SuccessorStatus } from '../model.js';
import { putRelationship } from '../relationship/relationship-slots.js';
import { done, ignored, notify, type TransitionResult } from '../result.js';
import { setSuccessorStatus } from '../relationship/slots.js';
import { claimTodaysRetryReminder } from '../tick-alerts.js';
import { LOCAL_USAGES } from '../relationship/usages.js';
import { isText } from '../validate.js';

/**
 * Moves every local successor and the server readiness that belong to an exchange from one
 * status to another.
 *
 * @example
 * ```ts
 * moveExchangeSuccessors(rel, 'r1', 'pending', 'sendFailed', now)
 * ```
 * @throws never.
 */
export function moveExchangeSuccessors(rel: Relationship, exchangeId: string, from: SuccessorStatus, to: SuccessorStatus, now: Date): Relationship {
  let next = rel;
  for (const usage of LOCAL_USAGES) {
    const successor = next.local[usage].successor;
    if (successor === null || successor.exchangeId !== exchangeId || successor.status !== from) continue;
    const slot = setSuccessorStatus(next.local[usage], successor.cert.fingerprint, to, now, successor.reason);
    next = freeze({ ...next, local: freeze({ ...next.local, [usage]: slot }) });
  }
  const readiness = next.serverReadiness;
  if (readiness !== null && readiness.exchangeId === exchangeId && readiness.status === from) {
    next = freeze({ ...next, serverReadiness: freeze({ ...readiness, status: to }) });
  }
  return next;
}

function withExchange(state: CemState, rel: Relationship, exchange: OutboundExchange): CemState {
  return putOutbound(putRelationship(state, rel), exchange);
}

/**
 * A failure: the exchange and its waiting successors become `sendFailed`, with a `sendFailed`
 * alert. The daily `retryNeeded` reminder is claimed for today, so it starts the next alert day.
 */
function onFailed(state: CemState, ex: OutboundExchange, rel: Relationship, error: unknown, now: Date): TransitionResult {
  const message = typeof error === 'string' ? error : 'unknown error';
  const waiting: SuccessorStatus = ex.channel === 'cem' ? 'pending' : 'emailed';
  const what = ex.channel === 'cem' ? 'request' : 'email';
  const next = freeze({ ...ex, status: 'sendFailed' as const, lastError: message });
  const updated = moveExchangeSuccessors(rel, ex.id, waiting, 'sendFailed', now);
  const stored = claimTodaysRetryReminder(withExchange(state, updated, next), what, ex.id, now);
  return done(stored, [notify(sendFailedAlert(rel.id, ex.id, what, message, ex.attempts))]);
}

/**
 * Sends a failed outbound exchange again: the identical `sendRequest` (same requestId,
 * `MessageOriginated`, Content-IDs, respond-by) or `sendEmail` effect.
 *
 * @example
 * ```ts
 * retryOutbound(state, exchange, now)
 * ```
 * @throws never.
 */
export function retryOutbound(state: CemState, ex: OutboundExchange, now: Date): TransitionResult {
  if (ex.status !== 'sendFailed') return ignored(state, 'invalidState', `exchange ${ex.id} is ${ex.status}, not sendFailed`);
  const rel = getRelationship(state, ex.relationshipId);
  if (rel === undefined) return ignored(state, 'unknownRelationship', `no relationship ${ex.relationshipId}`);
  const cem = ex.channel === 'cem';
  const next = freeze({ ...ex, status: cem ? ('sending' as const) : ('emailed' as const), attempts: ex.attempts + 1 });
  const updated = moveExchangeSuccessors(rel, ex.id, 'sendFailed', cem ? 'pending' : 'emailed', now);
  return done(withExchange(state, updated, next), [cem ? requestEffect(updated, next) : emailEffect(updated, next)]);
}

type DeliveryEvent = Extract<CemEvent, { type: 'requestDelivered' | 'requestFailed' | 'emailDelivered' | 'emailFailed' }>;

/**
 * Handles `requestDelivered` (sending → pending), `requestFailed` (sending or pending → sendFailed
 * with its successors, plus a `sendFailed` alert and, from the next alert day, a daily
 * `retryNeeded` reminder until it is retried; a negative MDN means the partner ignored the
 * Request, draft §6), `emailDelivered` (nothing to change) and `emailFailed` (emailed →
 * sendFailed, plus the same alerts). A Request that is no longer `sending` or `pending` (expired
 * by a tick while still sending, closed by "set as active" or a withdrawal, superseded) ignores
 * both reports (`invalidState`): it never returns to `pending` or `sendFailed`.
 *
 * @example
 * ```ts
 * onDeliveryEvent(state, { type: 'requestFailed', requestId: 'r1', error: 'HTTP 503' }, now)
 * ```
 * @throws never.
 */
export function onDeliveryEvent(state: CemState, event: DeliveryEvent, now: Date): TransitionResult {
  const id = event.type === 'requestDelivered' || event.type === 'requestFailed' ? event.requestId : event.exchangeId;
  if (!isText(id)) return ignored(state, 'invalidEvent', 'exchange id missing');
  const ex = getOutbound(state, id);
  if (ex === undefined) return ignored(state, 'unknownExchange', `no outbound exchange ${id}`);
  const rel = getRelationship(state, ex.relationshipId);
  if (rel === undefined) return ignored(state, 'unknownRelationship', `no relationship ${ex.relationshipId}`);
  const cemEvent = event.type === 'requestDelivered' || event.type === 'requestFailed';
  if (cemEvent !== (ex.channel === 'cem')) return ignored(state, 'invalidState', `exchange ${id} went by ${ex.channel}`);
  switch (event.type) {
    case 'requestDelivered':
      if (ex.status === 'pending') return ignored(state, 'duplicate', `request ${id} is already delivered`);
      if (ex.status !== 'sending') return ignored(state, 'invalidState', `request ${id} is ${ex.status}`);
      return done(putOutbound(state, freeze({ ...ex, status: 'pending' as const, lastError: null })));
    case 'requestFailed':
      if (ex.status !== 'sending' && ex.status !== 'pending') return ignored(state, 'invalidState', `request ${id} is ${ex.status}`);
      return onFailed(state, ex, rel, event.error, now);
    case 'emailDelivered':
      return ex.status === 'emailed' ? done(state) : ignored(state, 'invalidState', `email ${id} is ${ex.status}`);
    case 'emailFailed':
      if (ex.status !== 'emailed') return ignored(state, 'invalidState', `email ${id} is ${ex.status}`);
      return onFailed(state, ex, rel, event.error, now);
    default:
      return assertNever(event);
  }
}
