/**
 * Sending our new certificates: `sendCertificates` (by CEM or, when CEM cannot be used, by
 * email) and `resend` (a new Request for what an expired or rejected one carried).
 *
 * @module
 */
import { respondByFor, toIso } from '../../policy/deadlines.js';
import type { CertUsage } from '../../types.js';
import { usesCemChannel } from '../relationship/capability.js';
import type { CemEffect } from '../effects.js';
import { emailEffect, requestEffect } from '../relationship/emails.js';
import type { CemEvent } from '../events.js';
import { freeze } from '../freeze.js';
import { getOutbound, getRelationship, getServer, putOutbound, putServer } from '../lookup.js';
import type { CemState, OutboundExchange, OutboundItem, Relationship } from '../model.js';
import { changeSlot, putRelationship } from '../relationship/relationship-slots.js';
import { done, ignored, type TransitionResult } from '../result.js';
import { idsAreValid, planSelection, type PlannedItem, type PlannedUsage } from '../relationship/selection.js';
import { closeIfSettled } from '../relationship/settle.js';
import { placeSuccessor } from '../relationship/slots.js';
import { localSlotOf } from '../relationship/usages.js';

interface Placement {
  readonly state: CemState;
  readonly effects: readonly CemEffect[];
}

/**
 * Records the planned usages of a new exchange: local successors with `status`, and for
 * `tlsServer` the listener's candidate (created when there is none) and this partner's readiness.
 * Certificates already active in their slot are sent again but change nothing.
 */
function placeUsages(state: CemState, rel: Relationship, usages: readonly PlannedUsage[], status: 'pending' | 'emailed', exchangeId: string, now: Date): Placement {
  let current = rel;
  let next = state;
  const effects: CemEffect[] = [];
  const displaced: (string | null)[] = [];
  for (const planned of usages) {
    if (planned.slot === 'server') {
      const listener = current.listener;
      if (listener === null) continue;
      const server = getServer(next, listener);
      if (server.installed?.cert.fingerprint === planned.cert.fingerprint) continue;
      if (server.candidate === null) {
        next = putServer(next, freeze({ ...server, candidate: freeze({ cert: planned.cert, since: toIso(now), installAfter: null, installRequestedAt: null, installCause: null }) }));
      }
      displaced.push(current.serverReadiness?.exchangeId ?? null);
      current = freeze({ ...current, serverReadiness: freeze({ fingerprint: planned.cert.fingerprint, status, exchangeId, activateAt: null, reason: null }) });
      continue;
    }
    if (current.local[planned.slot].active[0]?.cert.fingerprint === planned.cert.fingerprint) continue;
    displaced.push(current.local[planned.slot].successor?.exchangeId ?? null);
    const successor = { cert: planned.cert, status, since: toIso(now), exchangeId, activateAt: null, reason: null };
    const change = changeSlot(current, { side: 'local', usage: planned.slot }, (slot) => placeSuccessor(slot, successor, now, planned.slot === 'encryption'));
    current = change.rel;
    effects.push(...change.effects);
  }
  // An earlier exchange whose certificates were all replaced has nothing left to wait for.
  let placed = putRelationship(next, current);
  for (const id of displaced) if (id !== exchangeId) placed = closeIfSettled(placed, id);
  return { state: placed, effects };
}

function buildItems(items: readonly PlannedItem[], contentIds: readonly string[]): OutboundItem[] {
  return items.map((item, index) => freeze({
    fingerprint: item.cert.fingerprint,
    cert: item.cert,
    usages: freeze([...item.usages]),
    contentId: contentIds[index] ?? '',
    status: 'pending' as const,
    reason: null,
    respondedAt: null,
    previousStatus: null,
  }));
}

function openExchange(state: CemState, rel: Relationship, channel: 'cem' | 'email', ids: { requestId: string; xmlContentId: string }, items: OutboundItem[], now: Date): OutboundExchange | string {
  if (channel === 'cem' && rel.responseUrl === null) return 'noResponseUrl';
  if (channel === 'email' && rel.partnerEmail === null) return 'noPartnerEmail';
  return freeze({
    id: ids.requestId,
    relationshipId: rel.id,
    channel,
    status: channel === 'cem' ? ('sending' as const) : ('emailed' as const),
    createdAt: toIso(now),
    originated: toIso(now),
    respondBy: channel === 'cem' ? respondByFor(now, state.settings) : null,
    xmlContentId: ids.xmlContentId,
    items: freeze(items),
    attempts: 1,
    lastError: null,
    activateAt: null,
    responseUrl: channel === 'cem' ? rel.responseUrl : null,
    emailTo: channel === 'email' ? rel.partnerEmail : null,
  });
}

function onSend(state: CemState, event: Extract<CemEvent, { type: 'sendCertificates' }>, now: Date): TransitionResult {
  const rel = getRelationship(state, event.relationshipId);
  if (rel === undefined) return ignored(state, 'unknownRelationship', `no relationship ${String(event.relationshipId)}`);
  const plan = planSelection(state, rel, event.selection, event.includeActive === true);
  if (!plan.ok) return ignored(state, plan.reason, plan.detail);
  if (!idsAreValid(event.ids, plan.items.length)) return ignored(state, 'invalidEvent', `ids must hold a requestId, an XML Content-ID and ${plan.items.length} Content-IDs`);
  if (getOutbound(state, event.ids.requestId) !== undefined) return ignored(state, 'duplicate', `request ${event.ids.requestId} exists`);
  const channel = usesCemChannel(rel) ? 'cem' : 'email';
  const exchange = openExchange(state, rel, channel, event.ids, buildItems(plan.items, event.ids.contentIds), now);
  if (typeof exchange === 'string') {
    return exchange === 'noResponseUrl'
      ? ignored(state, 'noResponseUrl', `${rel.id} has no ResponseURL configured`)
      : ignored(state, 'noPartnerEmail', `${rel.id} cannot take CEM and has no email address`);
  }
  const placed = placeUsages(state, rel, plan.usages, channel === 'cem' ? 'pending' : 'emailed', exchange.id, now);
  const next = putOutbound(placed.state, exchange);
  const updated = getRelationship(next, rel.id) ?? rel;
  const send = channel === 'cem' ? requestEffect(updated, exchange) : emailEffect(updated, exchange);
  return done(next, [...placed.effects, send]);
}

/** The usages of a resent item that can still be asked for: the successor waits, or the certificate is already in use. */
function resendableUsages(state: CemState, rel: Relationship, item: OutboundItem): PlannedUsage[] {
  const result: PlannedUsage[] = [];
  for (const usage of item.usages) {
    const slot = localSlotOf(usage);
    const waiting = (status: string | undefined): boolean => status === 'expired' || status === 'rejected';
    if (slot === 'server') {
      const readiness = rel.serverReadiness;
      const server = rel.listener === null ? null : getServer(state, rel.listener);
      const candidateOk = server?.candidate?.cert.fingerprint === item.fingerprint;
      if (readiness !== null && readiness.fingerprint === item.fingerprint && waiting(readiness.status) && candidateOk) result.push({ usage, slot, cert: item.cert });
      continue;
    }
    const target = rel.local[slot];
    const successor = target.successor;
    if (successor !== null && successor.cert.fingerprint === item.fingerprint && waiting(successor.status)) result.push({ usage, slot, cert: item.cert });
    else if (target.active.some((a) => a.cert.fingerprint === item.fingerprint)) result.push({ usage, slot, cert: item.cert });
  }
  return result;
}

function onResend(state: CemState, event: Extract<CemEvent, { type: 'resend' }>, now: Date): TransitionResult {
  const old = getOutbound(state, event.requestId);
  if (old === undefined) return ignored(state, 'unknownExchange', `no request ${String(event.requestId)}`);
  if (old.channel !== 'cem' || (old.status !== 'expired' && old.status !== 'rejected')) return ignored(state, 'invalidState', `request ${old.id} is ${old.status}`);
  const rel = getRelationship(state, old.relationshipId);
  if (rel === undefined) return ignored(state, 'unknownRelationship', `no relationship ${old.relationshipId}`);
  const usages: PlannedUsage[] = [];
  const items: PlannedItem[] = [];
  for (const item of old.items) {
    if (item.status === 'accepted') continue;
    const found = resendableUsages(state, rel, item);
    if (found.length === 0) continue;
    usages.push(...found);
    items.push({ cert: item.cert, usages: found.map((u): CertUsage => u.usage) });
  }
  if (items.length === 0) return ignored(state, 'nothingToSend', `nothing of request ${old.id} is still waiting`);
  if (!idsAreValid(event.ids, items.length)) return ignored(state, 'invalidEvent', `ids must hold a requestId, an XML Content-ID and ${items.length} Content-IDs`);
  if (getOutbound(state, event.ids.requestId) !== undefined) return ignored(state, 'duplicate', `request ${event.ids.requestId} exists`);
  const exchange = openExchange(state, rel, 'cem', event.ids, buildItems(items, event.ids.contentIds), now);
  if (typeof exchange === 'string') return ignored(state, 'noResponseUrl', `${rel.id} has no ResponseURL configured`);
  const placed = placeUsages(state, rel, usages, 'pending', exchange.id, now);
  const next = putOutbound(putOutbound(placed.state, freeze({ ...old, status: 'superseded' as const })), exchange);
  return done(next, [...placed.effects, requestEffect(getRelationship(next, rel.id) ?? rel, exchange)]);
}

/**
 * Handles `sendCertificates` and `resend`.
 *
 * `sendCertificates` plans the selection (see `planSelection`), then either opens a CEM exchange
 * (`sending`, successors `pending` at once so a crash cannot lose them and so our new encryption
 * certificate decrypts from distribution, draft §1.4/§2.4; respond-by = now + maxResponseDays;
 * a `sendRequest` effect) or, when the relationship is not established, not AS2 or the partner
 * does not take CEM, an email exchange (`emailed`, successors `emailed`, a `sendEmail` effect;
 * they become active only by "set as active").
 *
 * `resend` supersedes an expired or rejected Request with a new one (new ids) for the
 * certificates that are still waiting.
 *
 * @example
 * ```ts
 * onSendEvent(state, { type: 'sendCertificates', relationshipId: 'acme', selection, includeActive: false, ids }, now)
 * ```
 * @throws never.
 */
export function onSendEvent(state: CemState, event: Extract<CemEvent, { type: 'sendCertificates' | 'resend' }>, now: Date): TransitionResult {
  return event.type === 'sendCertificates' ? onSend(state, event, now) : onResend(state, event, now);
}
