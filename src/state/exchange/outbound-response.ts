/**
 * A partner's CEM Response to one of our Requests (decision 5 of docs/lifecycle.md).
 *
 * @module
 */
import { activatedAlert, refusedAlert, responseReceivedAlert, serverRejectedAlert, type AnsweredCertificate } from '../../policy/alerts.js';
import { identifierMatches } from '../../policy/cert-checks.js';
import type { CemResponse } from '../../messages/model.js';
import type { CemEffect, IgnoredReason } from '../effects.js';
import type { CemEvent } from '../events.js';
import { freeze } from '../freeze.js';
import { acceptsPartnerSigner, findByNames, getOutbound, getServer, putOutbound } from '../lookup.js';
import type { CemState, OutboundExchange, OutboundItem, Relationship } from '../model.js';
import { changeSlot, putRelationship } from '../relationship/relationship-slots.js';
import { done, ignored, notify, type TransitionResult } from '../result.js';
import { restoreEncryptionOnRejection, restoreLocalOnRejection, restoreServerOnRejection } from '../relationship/late-rejection.js';
import { settleServer } from '../listener/servers.js';
import { activateOnly, setSuccessorStatus } from '../relationship/slots.js';
import { localSlotOf } from '../relationship/usages.js';
import { isRecord, isText } from '../validate.js';

type ResponseEvent = Extract<CemEvent, { type: 'responseReceived' }>;

function refuse(state: CemState, event: ResponseEvent, reason: IgnoredReason, detail: string, now: Date): TransitionResult {
  return ignored(state, reason, detail, [notify(refusedAlert(reason, detail, String(event.as2From), String(event.as2To), event.messageId ?? null, now))]);
}

function responseIsWellFormed(response: unknown): response is CemResponse {
  return isRecord(response) && isRecord(response['sender']) && Array.isArray(response['trustResponses']);
}

interface Applied {
  readonly rel: Relationship;
  readonly effects: readonly CemEffect[];
}

/**
 * Applies one answered item to our slots: what acceptance or rejection means per usage. A
 * rejection of a signing or TLS client certificate we already use because its respond-by time
 * passed restores the one it replaced ({@link restoreLocalOnRejection}); a rejection of an
 * encryption certificate that already decrypts as an active one without acceptance (first usage
 * before the answer, or kept as `distributed`) takes it out of use and, after a first usage,
 * restores the one it replaced ({@link restoreEncryptionOnRejection}).
 */
function applyAnswer(state: CemState, rel: Relationship, ex: OutboundExchange, item: OutboundItem, now: Date): Applied {
  let next = rel;
  const effects: CemEffect[] = [];
  const accepted = item.status === 'accepted';
  for (const usage of item.usages) {
    const slot = localSlotOf(usage);
    if (slot === 'server') {
      const readiness = next.serverReadiness;
      if (readiness === null || readiness.fingerprint !== item.fingerprint) continue;
      next = freeze({ ...next, serverReadiness: freeze({ ...readiness, status: item.status === 'pending' ? readiness.status : item.status, reason: item.reason }) });
      if (!accepted && next.listener !== null) {
        const cert = getServer(state, next.listener).candidate?.cert ?? item.cert;
        effects.push(notify(serverRejectedAlert(next.listener, cert, next.id, item.reason)));
      }
      continue;
    }
    const successor = next.local[slot].successor;
    if (!accepted && (successor === null || successor.cert.fingerprint !== item.fingerprint)) {
      const answer = { relationshipId: rel.id, requestId: ex.id, reason: item.reason };
      const undone = slot === 'encryption' ? restoreEncryptionOnRejection(next, item, answer, now) : restoreLocalOnRejection(next, slot, item, answer, now);
      if (undone !== null) {
        next = undone.rel;
        effects.push(...undone.effects);
      }
      continue;
    }
    if (successor === null || successor.cert.fingerprint !== item.fingerprint) continue;
    const address = { side: 'local' as const, usage: slot };
    if (!accepted) {
      next = changeSlot(next, address, (s) => ({ slot: setSuccessorStatus(s, item.fingerprint, 'rejected', now, item.reason), archived: [] })).rel;
    } else if (slot === 'encryption') {
      // We decrypt with old and new until the partner's first message encrypted to the new one.
      next = changeSlot(next, address, (s) => ({ slot: setSuccessorStatus(s, item.fingerprint, 'accepted', now), archived: [] })).rel;
    } else {
      const change = changeSlot(next, address, (s) => activateOnly(s, successor.cert, now, 'cem', 'replaced'));
      next = change.rel;
      effects.push(...change.effects, notify(activatedAlert('certificateActivated', { relationshipId: rel.id, side: 'local', usage: slot }, successor.cert, 'cem')));
    }
  }
  return { rel: next, effects };
}

/** Matches each TrustResponse to an item: serial by value, issuer by meaning (draft §2.5, §3.2). */
function answerItems(ex: OutboundExchange, response: CemResponse, now: Date): { items: OutboundItem[]; answers: AnsweredCertificate[]; matched: number } {
  const items = [...ex.items];
  const answers: AnsweredCertificate[] = [];
  const seen = new Set<number>();
  for (const tr of response.trustResponses) {
    if (!isRecord(tr) || !isRecord(tr.certificate) || (tr.status !== 'Accepted' && tr.status !== 'Rejected')) continue;
    const index = items.findIndex((item, i) => !seen.has(i) && identifierMatches(tr.certificate, item.cert));
    const item = items[index];
    if (item === undefined) continue;
    seen.add(index);
    const status = tr.status === 'Accepted' ? ('accepted' as const) : ('rejected' as const);
    const reason = status === 'rejected' && typeof tr.reason === 'string' ? tr.reason : null;
    if (item.status === status) continue;
    const previousStatus = item.status === 'pending' ? item.previousStatus : item.status;
    items[index] = freeze({ ...item, status, reason, respondedAt: now.toISOString(), previousStatus });
    answers.push({ fingerprint: item.fingerprint, status, reason, previousStatus });
  }
  return { items, answers, matched: seen.size };
}

/**
 * A Response without requestId (pre-draft-06 peers): the newest CEM exchange of the relationship
 * that names one of its certificates, preferring those still waiting for an answer. Newest is by
 * `createdAt`, not by the order of `state.outbound`: that map's order is the order its records were
 * read in (by key in a store, numeric-looking ids first in JavaScript), not the order of creation.
 */
function exchangeWithoutRequestId(state: CemState, rel: Relationship, response: CemResponse): OutboundExchange | undefined {
  const names = (ex: OutboundExchange): boolean =>
    ex.relationshipId === rel.id && ex.channel === 'cem' && ex.status !== 'superseded' &&
    response.trustResponses.some((tr) => isRecord(tr) && isRecord(tr.certificate) && ex.items.some((item) => identifierMatches(tr.certificate, item.cert)));
  const candidates = Object.values(state.outbound).filter(names);
  const open = candidates.filter((ex) => ex.status === 'sending' || ex.status === 'pending' || ex.status === 'sendFailed' || ex.status === 'expired');
  return newest(open.length > 0 ? open : candidates);
}

/** The exchange created last; of several created at the same instant, the last one listed. */
function newest(exchanges: readonly OutboundExchange[]): OutboundExchange | undefined {
  let best: OutboundExchange | undefined;
  for (const ex of exchanges) if (best === undefined || Date.parse(ex.createdAt) >= Date.parse(best.createdAt)) best = ex;
  return best;
}

function exchangeStatus(ex: OutboundExchange, items: readonly OutboundItem[]): OutboundExchange['status'] {
  if (items.every((i) => i.status !== 'pending')) return items.some((i) => i.status === 'rejected') ? 'rejected' : 'accepted';
  return ex.status === 'sending' || ex.status === 'sendFailed' ? 'pending' : ex.status;
}

/**
 * Handles `responseReceived`. The Response must come from a known relationship (partner name =
 * AS2-From, ours = AS2-To), be signed by a partner signing certificate we currently accept, and
 * name AS2-From as its sender; otherwise it is refused (`ignored` plus a `messageRefused` alert)
 * and nothing changes. It is matched to our Request by requestId (without one, as pre-draft-06
 * peers send, to the newest Request naming one of its certificates), then each TrustResponse to an
 * item by serial value and issuer meaning. Accepted: our signing and TLS client certificates
 * become active at once (the old archived); our encryption certificate becomes `accepted` (we
 * decrypt with old and new until first usage); a TLS server certificate marks this partner ready
 * and the listener's consensus is re-evaluated. Rejected: the successor is `rejected` with the
 * reason. A repeated identical Response is a `duplicate`; a later, different one is adopted
 * (draft §2.5 MAY) and recorded in `previousStatus`.
 *
 * @example
 * ```ts
 * onResponseReceived(state, { type: 'responseReceived', as2From: 'PARTNER', as2To: 'US', verifiedBy, messageId, response }, now)
 * ```
 * @throws never.
 */
export function onResponseReceived(state: CemState, event: ResponseEvent, now: Date): TransitionResult {
  if (!isText(event.as2From) || !isText(event.as2To) || !responseIsWellFormed(event.response)) return ignored(state, 'invalidEvent', 'as2From, as2To and a response are required');
  const rel = findByNames(state, event.as2From, event.as2To);
  if (rel === undefined) return refuse(state, event, 'unknownRelationship', `no relationship ${event.as2To} ← ${event.as2From}`, now);
  if (!acceptsPartnerSigner(rel, event.verifiedBy)) return refuse(state, event, 'notAuthenticated', 'the Response is not signed with an accepted partner signing certificate', now);
  if (event.response.sender.name !== event.as2From) return refuse(state, event, 'nameMismatch', `TradingPartnerInfo Name ${String(event.response.sender.name)} is not the AS2-From ${event.as2From}`, now);
  const ex = event.response.requestId === null ? exchangeWithoutRequestId(state, rel, event.response) : getOutbound(state, event.response.requestId);
  if (ex === undefined || ex.relationshipId !== rel.id || ex.channel !== 'cem') return ignored(state, 'unknownExchange', `no request ${String(event.response.requestId)} to ${rel.id}`);
  if (ex.status === 'superseded') return ignored(state, 'invalidState', `request ${ex.id} was superseded by a resend`);
  const { items, answers, matched } = answerItems(ex, event.response, now);
  if (matched === 0) return ignored(state, 'unknownCertificate', `no TrustResponse names a certificate of request ${ex.id}`);
  if (answers.length === 0) return ignored(state, 'duplicate', `request ${ex.id} already has these answers`);
  let current = rel;
  const effects: CemEffect[] = [];
  for (const answer of answers) {
    const item = items.find((i) => i.fingerprint === answer.fingerprint);
    if (item === undefined) continue;
    const applied = applyAnswer(state, current, ex, item, now);
    current = applied.rel;
    effects.push(...applied.effects);
  }
  let next = putOutbound(putRelationship(state, current), freeze({ ...ex, items: freeze(items), status: exchangeStatus(ex, items) }));
  effects.push(notify(responseReceivedAlert(rel.id, ex.id, event.messageId ?? event.response.originated?.lexical ?? now.toISOString(), answers)));
  const touchesServer = items.some((i) => i.usages.includes('tlsServer'));
  if (touchesServer && current.listener !== null) {
    // A rejection of the server certificate installed because a respond-by time passed undoes the install.
    for (const answer of answers) {
      const item = items.find((i) => i.fingerprint === answer.fingerprint);
      if (item === undefined || answer.status !== 'rejected' || !item.usages.includes('tlsServer')) continue;
      const undone = restoreServerOnRejection(next, current.listener, item.fingerprint, { relationshipId: rel.id, requestId: ex.id, reason: item.reason }, now);
      if (undone === null) continue;
      next = undone.state;
      effects.push(...undone.effects);
    }
    const step = settleServer(next, current.listener, now, false);
    next = step.state;
    effects.push(...step.effects);
  }
  return done(next, effects);
}
