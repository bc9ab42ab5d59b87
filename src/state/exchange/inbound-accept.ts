/**
 * What deciding a received certificate does to the partner's slots, and the Responses sent when
 * every certificate of a received Request is decided (decision 8 of docs/lifecycle.md).
 *
 * @module
 */
import { activatedAlert } from '../../policy/alerts.js';
import { toIso } from '../../policy/deadlines.js';
import type { CemEffect } from '../effects.js';
import { freeze } from '../freeze.js';
import { getRelationship, putInbound } from '../lookup.js';
import type { CemState, InboundExchange, InboundItem, Relationship } from '../model.js';
import { changeSlot, putRelationship } from '../relationship/relationship-slots.js';
import { activateOnly, placeSuccessor, setSuccessorStatus } from '../relationship/slots.js';
import { partnerSlotOf } from '../relationship/usages.js';

/** A relationship after a decision, with the effects it needs. */
export interface Decided {
  readonly rel: Relationship;
  readonly effects: readonly CemEffect[];
}

/**
 * Accepting a partner certificate, per usage (cumulative, draft §6: usages it already has stay).
 * Encryption replaces the old certificate at once (we encrypt to the new one from now, draft
 * §2.4). Signing, TLS client and TLS server become acceptable alongside the old ones (successor
 * `accepted`) until first usage archives the old, so both verify during the overlap (draft §2.4).
 * A slot with no active certificate takes it as active directly.
 *
 * @example
 * ```ts
 * const { rel: next, effects } = acceptPartnerCertificate(rel, item, 'acme/r1', now)
 * ```
 * @throws never.
 */
export function acceptPartnerCertificate(rel: Relationship, item: InboundItem, exchangeKey: string, now: Date): Decided {
  let next = rel;
  const effects: CemEffect[] = [];
  for (const usage of item.usages) {
    const slotName = partnerSlotOf(usage);
    const address = { side: 'partner' as const, usage: slotName };
    const slot = next.partner[slotName];
    if (slot.active.some((a) => a.cert.fingerprint === item.cert.fingerprint)) continue;
    if (slotName === 'encryption' || slot.active.length === 0) {
      const change = changeSlot(next, address, (s) => activateOnly(s, item.cert, now, 'cem', 'replaced'));
      next = change.rel;
      effects.push(...change.effects, { type: 'notify', alert: activatedAlert('certificateActivated', { relationshipId: rel.id, side: 'partner', usage: slotName }, item.cert, 'cem') });
      continue;
    }
    if (slot.successor?.cert.fingerprint === item.cert.fingerprint && slot.successor.status === 'accepted') continue;
    const successor = { cert: item.cert, status: 'accepted' as const, since: toIso(now), exchangeId: exchangeKey, activateAt: null, reason: null };
    const change = changeSlot(next, address, (s) => placeSuccessor(s, successor, now));
    next = change.rel;
    effects.push(...change.effects);
  }
  return { rel: next, effects };
}

/**
 * Rejecting a partner certificate: a successor that is this certificate, or a pending one it
 * replaces, shows `rejected` with the reason; an accepted or scheduled successor is left alone,
 * also when it is this very certificate (an acceptance we already sent for that usage stands,
 * usages being cumulative, draft §6; the administrator's schedule stands until cancelled), so it
 * is never turned into a rejected successor that the next certificate silently displaces.
 *
 * @example
 * ```ts
 * rejectPartnerCertificate(rel, item, 'acme/r1', now)
 * ```
 * @throws never.
 */
export function rejectPartnerCertificate(rel: Relationship, item: InboundItem, exchangeKey: string, now: Date): Relationship {
  let next = rel;
  for (const usage of item.usages) {
    const slotName = partnerSlotOf(usage);
    const slot = next.partner[slotName];
    const current = slot.successor;
    if (slot.active.some((a) => a.cert.fingerprint === item.cert.fingerprint)) continue;
    if (current !== null && (current.status === 'accepted' || current.status === 'scheduled')) continue;
    if (current !== null && current.cert.fingerprint === item.cert.fingerprint) {
      next = changeSlot(next, { side: 'partner', usage: slotName }, (s) => ({ slot: setSuccessorStatus(s, item.cert.fingerprint, 'rejected', now, item.reason), archived: [] })).rel;
    } else if (current === null || current.status === 'pending' || current.status === 'rejected') {
      const successor = { cert: item.cert, status: 'rejected' as const, since: toIso(now), exchangeId: exchangeKey, activateAt: null, reason: item.reason };
      next = changeSlot(next, { side: 'partner', usage: slotName }, (s) => placeSuccessor(s, successor, now)).rel;
    }
  }
  return next;
}

/**
 * The `sendResponse` effects of a decided exchange: one per distinct `ResponseURL` (draft §3.1:
 * each TrustRequest names where its answer goes; an empty one means the partner's configured
 * URL), each echoing the requestId and the wire issuer and serial strings exactly (draft §3.2),
 * with `MessageOriginated` fixed at `respondedAt` so a resend is identical. Superseded items are
 * left out.
 *
 * @example
 * ```ts
 * responseEffects(rel, exchange).length // 1 for a single ResponseURL
 * ```
 * @throws never.
 */
export function responseEffects(rel: Relationship, ex: InboundExchange): CemEffect[] {
  const groups = new Map<string, InboundItem[]>();
  for (const item of ex.items) {
    if (item.decision !== 'accepted' && item.decision !== 'rejected') continue;
    const group = groups.get(item.responseUrl) ?? [];
    group.push(item);
    groups.set(item.responseUrl, group);
  }
  return [...groups.entries()].map(([url, items]) => ({
    type: 'sendResponse' as const,
    relationshipId: rel.id,
    exchangeKey: ex.key,
    requestId: ex.requestId,
    from: rel.localName,
    to: rel.partnerName,
    responseUrl: url.trim() === '' ? null : url,
    originated: ex.respondedAt ?? ex.receivedAt,
    items: items.map((i) => ({ status: i.decision === 'accepted' ? ('Accepted' as const) : ('Rejected' as const), reason: i.reason, issuer: i.wireIssuer, serial: i.wireSerial })),
  }));
}

/**
 * Stores an exchange and, when it has no pending item left, completes it: `responding` with
 * `respondedAt` fixed and the `sendResponse` effects, or `superseded` when every item was
 * superseded by a newer Request.
 *
 * @example
 * ```ts
 * const step = storeAndComplete(state, exchange, now)
 * ```
 * @throws never.
 */
export function storeAndComplete(state: CemState, ex: InboundExchange, now: Date): { readonly state: CemState; readonly effects: readonly CemEffect[] } {
  const rel = getRelationship(state, ex.relationshipId);
  if (ex.status !== 'awaitingDecision' || ex.items.some((i) => i.decision === 'pending') || rel === undefined) {
    return { state: putInbound(state, ex), effects: [] };
  }
  if (ex.items.every((i) => i.decision === 'superseded')) {
    return { state: putInbound(state, freeze({ ...ex, status: 'superseded' as const })), effects: [] };
  }
  const completed = freeze({ ...ex, status: 'responding' as const, respondedAt: toIso(now), attempts: ex.attempts + 1 });
  return { state: putInbound(putRelationship(state, rel), completed), effects: responseEffects(rel, completed) };
}
