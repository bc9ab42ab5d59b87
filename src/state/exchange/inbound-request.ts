/**
 * A partner's CEM Request (decision 8 of docs/lifecycle.md).
 *
 * @module
 */
import { claimDaily } from '../../policy/alert-days.js';
import { refusedAlert, requestAutoAcceptedAlert, requestReceivedAlert } from '../../policy/alerts.js';
import { decideReceivedCertificate, type ReceiptDecisionCause } from '../../policy/auto-accept.js';
import { checkReceivedCertificate } from '../../policy/cert-checks.js';
import type { CemRequest, CemTrustRequest } from '../../messages/model.js';
import { isCertUsage, type CertUsage } from '../../types.js';
import { toCertRef } from '../relationship/cert-ref.js';
import type { CemEffect, IgnoredReason } from '../effects.js';
import type { CemEvent, ReceivedCertificate } from '../events.js';
import { freeze } from '../freeze.js';
import { acceptPartnerCertificate, rejectPartnerCertificate, responseEffects, storeAndComplete } from './inbound-accept.js';
import { acceptsPartnerSigner, findByNames, getInbound, getRelationship, putInbound } from '../lookup.js';
import type { CemState, InboundExchange, InboundItem, Relationship } from '../model.js';
import { changeSlot, putRelationship } from '../relationship/relationship-slots.js';
import { done, ignored, notify, type TransitionResult } from '../result.js';
import { placeSuccessor } from '../relationship/slots.js';
import { partnerSlotOf } from '../relationship/usages.js';
import { isCertificateInfo, isRecord, isText } from '../validate.js';

type RequestEvent = Extract<CemEvent, { type: 'requestReceived' }>;

const bareContentId = (id: string): string => id.trim().replace(/^cid:/i, '').replace(/^<|>$/g, '').trim().toLowerCase();

function refuse(state: CemState, event: RequestEvent, reason: IgnoredReason, detail: string, now: Date): TransitionResult {
  return ignored(state, reason, detail, [notify(refusedAlert(reason, detail, String(event.as2From), String(event.as2To), event.messageId ?? null, now))]);
}

function requestIsWellFormed(request: unknown, certificates: unknown): request is CemRequest {
  return isRecord(request) && isRecord(request['sender']) && Array.isArray(request['trustRequests']) && request['trustRequests'].length > 0 && Array.isArray(certificates);
}

/**
 * The exchange key of a received Request: by requestId, else by Message-ID, else by
 * `MessageOriginated`.
 *
 * @example
 * ```ts
 * inboundKey('acme', { requestId: 'r1' } as CemRequest, null) // 'acme/r1'
 * ```
 * @throws never.
 */
export function inboundKey(relationshipId: string, request: CemRequest, messageId: string | null): string {
  if (isText(request.requestId)) return `${relationshipId}/${request.requestId}`;
  if (isText(messageId)) return `${relationshipId}/message:${messageId}`;
  return `${relationshipId}/originated:${String(request.originated?.lexical)}`;
}

function alreadyAccepted(rel: Relationship, fingerprint: string, usages: readonly CertUsage[]): boolean {
  return usages.every((usage) => {
    const slot = rel.partner[partnerSlotOf(usage)];
    return slot.active.some((a) => a.cert.fingerprint === fingerprint) || (slot.successor?.status === 'accepted' && slot.successor.cert.fingerprint === fingerprint);
  });
}

/** A received certificate with the cause of its decision on receipt (for the alerts; not stored). */
interface BuiltItem {
  readonly item: InboundItem;
  readonly cause: ReceiptDecisionCause;
}

function buildItem(state: CemState, rel: Relationship, tr: CemTrustRequest, certificates: readonly ReceivedCertificate[], now: Date): BuiltItem | string {
  if (!isRecord(tr) || !isRecord(tr.certificate) || typeof tr.contentId !== 'string' || !Array.isArray(tr.usages)) return 'a TrustRequest is malformed';
  const received = certificates.find((c) => isRecord(c) && typeof c.contentId === 'string' && bareContentId(c.contentId) === bareContentId(tr.contentId));
  if (received === undefined || !isCertificateInfo(received.endEntity)) return `no certificate for Content-ID ${tr.contentId}`;
  const usages = [...new Set(tr.usages.filter((u: unknown): u is CertUsage => typeof u === 'string' && isCertUsage(u)))];
  if (usages.length === 0) return 'a TrustRequest has no usage';
  const wire = { issuer: String(tr.certificate.issuer), serial: String(tr.certificate.serial) };
  const check = checkReceivedCertificate(received.endEntity, usages, wire, now, state.settings);
  const cert = toCertRef(received.endEntity);
  const decision = decideReceivedCertificate({
    alreadyAccepted: alreadyAccepted(rel, cert.fingerprint, usages),
    authenticated: true,
    problemMessages: check.messages,
    settings: state.settings,
    relationship: rel,
  });
  const item: InboundItem = freeze({
    cert,
    usages: freeze(usages),
    wireIssuer: wire.issuer,
    wireSerial: wire.serial,
    contentId: tr.contentId,
    responseUrl: typeof tr.responseUrl === 'string' ? tr.responseUrl : '',
    decision: decision.decision,
    reason: decision.reason,
    problems: check.problems,
  });
  return { item, cause: decision.cause };
}

function earliestRespondBy(request: CemRequest): string | null {
  const times = request.trustRequests
    .map((tr) => (isRecord(tr) && isRecord(tr.respondBy) && tr.respondBy.instant instanceof Date ? tr.respondBy.instant.getTime() : Number.NaN))
    .filter(Number.isFinite);
  return times.length === 0 ? null : new Date(Math.min(...times)).toISOString();
}

/** Older unanswered exchanges lose the items whose usages the new Request asks for again. */
function supersedeOlder(state: CemState, rel: Relationship, usages: ReadonlySet<CertUsage>, now: Date): { state: CemState; effects: CemEffect[] } {
  let next = state;
  const effects: CemEffect[] = [];
  for (const older of Object.values(state.inbound)) {
    if (older.relationshipId !== rel.id || older.status !== 'awaitingDecision') continue;
    const overlaps = (item: InboundItem): boolean => item.decision === 'pending' && item.usages.some((u) => usages.has(u));
    if (!older.items.some(overlaps)) continue;
    const items = older.items.map((item) => (overlaps(item) ? freeze({ ...item, decision: 'superseded' as const }) : item));
    const step = storeAndComplete(next, freeze({ ...older, items: freeze(items) }), now);
    next = step.state;
    effects.push(...step.effects);
  }
  return { state: next, effects };
}

/**
 * Places each item in the partner's slots according to its decision on receipt. A pending item leaves a
 * scheduled successor in place, and one that is already this certificate accepted for the usage.
 */
function placeItems(rel: Relationship, items: readonly InboundItem[], key: string, now: Date): { rel: Relationship; effects: CemEffect[] } {
  let next = rel;
  const effects: CemEffect[] = [];
  for (const item of items) {
    if (item.decision === 'accepted') {
      const decided = acceptPartnerCertificate(next, item, key, now);
      next = decided.rel;
      effects.push(...decided.effects);
    } else if (item.decision === 'rejected') {
      next = rejectPartnerCertificate(next, item, key, now);
    } else {
      for (const usage of item.usages) {
        const slot = partnerSlotOf(usage);
        const current = next.partner[slot];
        if (current.active.some((a) => a.cert.fingerprint === item.cert.fingerprint)) continue;
        // A certificate the administrator scheduled stays scheduled (and acceptable where it was) while we decide;
        // the pending one is then shown by its exchange only.
        if (current.successor?.status === 'scheduled') continue;
        // This very certificate, already accepted for this usage, stays accepted (usages are cumulative, draft §6).
        if (current.successor?.status === 'accepted' && current.successor.cert.fingerprint === item.cert.fingerprint) continue;
        const successor = { cert: item.cert, status: 'pending' as const, since: now.toISOString(), exchangeId: key, activateAt: null, reason: null };
        const change = changeSlot(next, { side: 'partner', usage: slot }, (s) => placeSuccessor(s, successor, now));
        next = change.rel;
        effects.push(...change.effects);
      }
    }
  }
  return { rel: next, effects };
}

/**
 * A Request whose exchange we already know (same relationship and requestId). A different
 * Message-ID on an exchange already `answered` means the partner sent it again, perhaps because
 * our Response was lost: the identical Responses go out again (same requestId,
 * `MessageOriginated`, items and ResponseURLs; decisions unchanged), `attempts` counts it, and
 * nothing is `ignored`. Otherwise (the same or an unknown Message-ID, a Message-ID of another
 * exchange, or an exchange still awaiting a decision, responding, failed or superseded, where the
 * decision, the outbox or `retry` covers it) it is a `duplicate` that changes nothing.
 */
function repeatedRequest(state: CemState, rel: Relationship, existing: InboundExchange, messageId: string | null): TransitionResult {
  const seen = messageId === null || Object.values(state.inbound).some((ex) => ex.relationshipId === rel.id && ex.messageId === messageId);
  if (existing.status !== 'answered' || seen) return ignored(state, 'duplicate', `request ${existing.key} was already received`);
  const again = freeze({ ...existing, attempts: existing.attempts + 1 });
  return done(putInbound(state, again), responseEffects(rel, again));
}

/**
 * Handles `requestReceived`. Refused (`ignored` plus a `messageRefused` alert, nothing changes)
 * unless it comes from a known relationship (partner = AS2-From, us = AS2-To), is signed with
 * the partner's currently accepted signing certificate (draft §2.4, §8) and names AS2-From in
 * `TradingPartnerInfo`. Idempotent by requestId and Message-ID, except that an answered Request
 * arriving again under a new Message-ID gets the identical Responses again (the partner may have
 * lost ours). Pending items of older, unanswered Requests for the same usages are superseded.
 * Each certificate is decided on receipt (see `decideReceivedCertificate`); when all are decided
 * the Responses go out at once with a `requestAutoAccepted` alert (certificate details, the
 * decision per certificate and the respond-by date), otherwise the exchange awaits the
 * administrator (`requestReceived` alert with certificate details and the respond-by date).
 *
 * @example
 * ```ts
 * onRequestReceived(state, { type: 'requestReceived', as2From: 'PARTNER', as2To: 'US', verifiedBy, messageId, request, certificates }, now)
 * ```
 * @throws never.
 */
export function onRequestReceived(state: CemState, event: RequestEvent, now: Date): TransitionResult {
  if (!isText(event.as2From) || !isText(event.as2To) || !requestIsWellFormed(event.request, event.certificates)) return ignored(state, 'invalidEvent', 'as2From, as2To, a request and its certificates are required');
  const rel = findByNames(state, event.as2From, event.as2To);
  if (rel === undefined) return refuse(state, event, 'unknownRelationship', `no relationship ${event.as2To} ← ${event.as2From}`, now);
  if (!acceptsPartnerSigner(rel, event.verifiedBy)) return refuse(state, event, 'notAuthenticated', 'the Request is not signed with an accepted partner signing certificate', now);
  if (event.request.sender.name !== event.as2From) return refuse(state, event, 'nameMismatch', `TradingPartnerInfo Name ${String(event.request.sender.name)} is not the AS2-From ${event.as2From}`, now);
  const messageId = isText(event.messageId) ? event.messageId : null;
  const key = inboundKey(rel.id, event.request, messageId);
  const existing = getInbound(state, key);
  if (existing !== undefined) return repeatedRequest(state, rel, existing, messageId);
  if (messageId !== null && Object.values(state.inbound).some((ex) => ex.relationshipId === rel.id && ex.messageId === messageId)) {
    return ignored(state, 'duplicate', `message ${messageId} was already received`);
  }
  const built: BuiltItem[] = [];
  for (const tr of event.request.trustRequests) {
    const result = buildItem(state, rel, tr, event.certificates, now);
    if (typeof result === 'string') return ignored(state, 'invalidEvent', result);
    built.push(result);
  }
  const items = built.map((b) => b.item);
  const superseded = supersedeOlder(state, rel, new Set(items.flatMap((i) => i.usages)), now);
  const placed = placeItems(getRelationshipOr(superseded.state, rel), items, key, now);
  const exchange: InboundExchange = freeze({
    key,
    requestId: isText(event.request.requestId) ? event.request.requestId : null,
    relationshipId: rel.id,
    messageId,
    receivedAt: now.toISOString(),
    respondBy: earliestRespondBy(event.request),
    items: freeze(items),
    status: 'awaitingDecision' as const,
    respondedAt: null,
    attempts: 0,
    lastError: null,
  });
  const completed = storeAndComplete(putRelationship(superseded.state, placed.rel), exchange, now);
  const effects: CemEffect[] = [...superseded.effects, ...placed.effects, ...completed.effects];
  const waiting = items.filter((i) => i.decision === 'pending');
  const requestId = exchange.requestId ?? key;
  let next = completed.state;
  if (waiting.length > 0) {
    const certs = waiting.map((i) => ({ cert: i.cert, usages: i.usages, problems: i.problems }));
    effects.push(notify(requestReceivedAlert(rel.id, key, requestId, exchange.respondBy, certs)));
    // The requestReceived alert is today's reminder: the daily requestAwaitingAnswer starts tomorrow.
    const claim = claimDaily(next.alertLog, `requestAwaitingAnswer:${key}`, now, next.settings.alertDayOffsetMinutes);
    next = freeze({ ...next, alertLog: claim.alertLog });
  } else {
    const certs = built.map(({ item, cause }) => ({
      cert: item.cert, usages: item.usages, problems: item.problems, decision: item.decision === 'rejected' ? ('rejected' as const) : ('accepted' as const), cause, reason: item.reason,
    }));
    effects.push(notify(requestAutoAcceptedAlert(rel.id, key, requestId, exchange.respondBy, certs)));
  }
  return done(next, effects);
}

function getRelationshipOr(state: CemState, rel: Relationship): Relationship {
  return getRelationship(state, rel.id) ?? rel;
}
