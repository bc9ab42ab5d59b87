/**
 * Scheduling certificates for future use (decision 9 of docs/lifecycle.md; Cleo's "Schedule
 * Certificates For Future Use").
 *
 * @module
 */
import { activatedAlert } from '../../policy/alerts.js';
import { toIso } from '../../policy/deadlines.js';
import { toCertRef } from './cert-ref.js';
import type { CemEffect } from '../effects.js';
import { emailEffect } from './emails.js';
import type { CemEvent } from '../events.js';
import { freeze } from '../freeze.js';
import { othersHaveReadiness } from '../indexes/listener-tally.js';
import { getOutbound, getRelationship, getServer, putOutbound, putServer } from '../lookup.js';
import { addressOf } from './manual.js';
import type { CemState, CertRef, OutboundExchange, Relationship, ServerProtocol } from '../model.js';
import { changeSlot, putRelationship, slotAt, type SlotAddress } from './relationship-slots.js';
import { done, ignored, notify, type TransitionResult } from '../result.js';
import { BLOCKING_STATUSES } from './selection.js';
import { settleServer } from '../listener/servers.js';
import { closeIfSettled } from './settle.js';
import { activateSuccessor, placeSuccessor, removeSuccessor } from './slots.js';
import { certUsageOf } from './usages.js';
import { isCertificateInfo, isLocalInput, isText, isValidDate } from '../validate.js';

type ScheduleEvent = Extract<CemEvent, { type: 'schedule' }>;

function emailExchange(rel: Relationship, id: string, cert: CertRef, usage: 'tlsServer' | SlotAddress['usage'], activateAt: Date, now: Date): OutboundExchange {
  return freeze({
    id,
    relationshipId: rel.id,
    channel: 'email' as const,
    status: 'emailed' as const,
    createdAt: toIso(now),
    originated: toIso(now),
    respondBy: null,
    xmlContentId: '',
    items: freeze([freeze({ fingerprint: cert.fingerprint, cert, usages: freeze([certUsageOf(usage)]), contentId: '', status: 'pending' as const, reason: null, respondedAt: null, previousStatus: null })]),
    attempts: 1,
    lastError: null,
    activateAt: toIso(activateAt),
    responseUrl: null,
    emailTo: rel.partnerEmail,
  });
}

function scheduleServer(state: CemState, rel: Relationship, listener: ServerProtocol, cert: CertRef, activateAt: Date, exchangeId: string | null, now: Date): TransitionResult {
  const server = getServer(state, listener);
  if (server.installed?.cert.fingerprint === cert.fingerprint) return ignored(state, 'invalidState', `${cert.fingerprint} is already the ${listener} server certificate`);
  if (server.candidate !== null && server.candidate.cert.fingerprint !== cert.fingerprint) {
    return ignored(state, 'serverCertificateMismatch', `the pending ${listener} server certificate is ${server.candidate.cert.fingerprint}`);
  }
  if (rel.serverReadiness !== null && BLOCKING_STATUSES.includes(rel.serverReadiness.status)) return ignored(state, 'alreadyPending', `${rel.id} already has a ${rel.serverReadiness.status} server certificate`);
  const at = toIso(activateAt);
  // Each partner's time is in its readiness; the candidate itself carries no install time.
  const candidate = server.candidate ?? freeze({ cert, since: toIso(now), installAfter: null, installRequestedAt: null, installCause: null });
  const readiness = freeze({ fingerprint: cert.fingerprint, status: 'scheduled' as const, exchangeId, activateAt: at, reason: null });
  const next = closeIfSettled(putRelationship(putServer(state, freeze({ ...server, candidate })), freeze({ ...rel, serverReadiness: readiness })), rel.serverReadiness?.exchangeId ?? null);
  const settled = settleServer(next, listener, now, false);
  return done(settled.state, settled.effects);
}

function scheduleSlot(state: CemState, rel: Relationship, address: SlotAddress, cert: CertRef, activateAt: Date, exchangeId: string | null, now: Date): TransitionResult {
  const slot = slotAt(rel, address);
  if (slot.active.some((a) => a.cert.fingerprint === cert.fingerprint)) return ignored(state, 'invalidState', `${cert.fingerprint} is already active`);
  if (slot.successor !== null && BLOCKING_STATUSES.includes(slot.successor.status)) return ignored(state, 'alreadyPending', `the ${address.side} ${address.usage} slot of ${rel.id} has a ${slot.successor.status} successor`);
  const successor = { cert, status: 'scheduled' as const, since: toIso(now), exchangeId, activateAt: toIso(activateAt), reason: null };
  const placed = changeSlot(rel, address, (s) => placeSuccessor(s, successor, now, address.side === 'local' && address.usage === 'encryption'));
  const effects: CemEffect[] = [...placed.effects];
  let current = placed.rel;
  if (activateAt.getTime() <= now.getTime()) {
    const activated = changeSlot(current, address, (s) => activateSuccessor(s, now, 'schedule', 'replaced'));
    current = activated.rel;
    effects.push(...activated.effects, notify(activatedAlert('scheduledActivated', { relationshipId: rel.id, side: address.side, usage: address.usage }, cert, 'schedule')));
  }
  return done(closeIfSettled(putRelationship(state, current), slot.successor?.exchangeId ?? null), effects);
}

/** What the slot (or, for our server certificate, this partner's readiness) has scheduled, if anything. */
function scheduledNow(rel: Relationship, address: SlotAddress | 'server'): { fingerprint: string; activateAt: string | null; exchangeId: string | null } | null {
  if (address === 'server') return rel.serverReadiness?.status === 'scheduled' ? rel.serverReadiness : null;
  const successor = slotAt(rel, address).successor;
  return successor?.status === 'scheduled' ? { fingerprint: successor.cert.fingerprint, activateAt: successor.activateAt, exchangeId: successor.exchangeId } : null;
}

function onSchedule(state: CemState, event: ScheduleEvent, now: Date): TransitionResult {
  const rel = getRelationship(state, event.relationshipId);
  if (rel === undefined) return ignored(state, 'unknownRelationship', `no relationship ${String(event.relationshipId)}`);
  const address = addressOf(event.side, event.usage);
  if (address === null || !isValidDate(event.activateAt)) return ignored(state, 'invalidEvent', 'side, usage and activateAt are required');
  const input: unknown = event.certificate;
  const cert = event.side === 'local' ? (isLocalInput(input) ? toCertRef(input.certificate, input.keyRef) : null) : isCertificateInfo(input) ? toCertRef(input) : null;
  if (cert === null) return ignored(state, 'invalidEvent', 'certificate missing or malformed');
  const email = event.side === 'local' && event.emailPartner === true;
  if (email) {
    if (rel.partnerEmail === null) return ignored(state, 'noPartnerEmail', `${rel.id} has no email address`);
    if (!isText(event.exchangeId)) return ignored(state, 'invalidEvent', 'exchangeId is required to email the partner');
    if (getOutbound(state, event.exchangeId) !== undefined) return ignored(state, 'duplicate', `exchange ${event.exchangeId} exists`);
  }
  const exchangeId = email && isText(event.exchangeId) ? event.exchangeId : null;
  // The same schedule again (a host repeating a call whose outcome it lost in a crash): nothing new.
  const current = scheduledNow(rel, address);
  if (current !== null && current.fingerprint === cert.fingerprint && current.activateAt !== null && Date.parse(current.activateAt) === event.activateAt.getTime() && (!email || current.exchangeId !== null)) {
    return ignored(state, 'duplicate', `${cert.fingerprint} is already scheduled for ${current.activateAt}${email ? ' and was emailed' : ''}`);
  }
  let step: TransitionResult;
  if (address === 'server') {
    if (rel.listener === null) return ignored(state, 'noListener', `${rel.id} has no listener`);
    step = scheduleServer(state, rel, rel.listener, cert, event.activateAt, exchangeId, now);
  } else {
    step = scheduleSlot(state, rel, address, cert, event.activateAt, exchangeId, now);
  }
  if (step.effects.some((e) => e.type === 'ignored')) return done(step.state, step.effects);
  if (exchangeId === null) return done(step.state, step.effects);
  const exchange = emailExchange(rel, exchangeId, cert, address === 'server' ? 'tlsServer' : address.usage, event.activateAt, now);
  const next = closeIfSettled(putOutbound(step.state, exchange), exchangeId);
  return done(next, [...step.effects, emailEffect(getRelationship(next, rel.id) ?? rel, exchange)]);
}

function onCancel(state: CemState, event: Extract<CemEvent, { type: 'cancelSchedule' }>, now: Date): TransitionResult {
  const rel = getRelationship(state, event.relationshipId);
  if (rel === undefined) return ignored(state, 'unknownRelationship', `no relationship ${String(event.relationshipId)}`);
  const address = addressOf(event.side, event.usage);
  if (address === null) return ignored(state, 'invalidEvent', 'side and usage do not fit together');
  if (address === 'server') {
    const readiness = rel.serverReadiness;
    if (rel.listener === null || readiness === null || readiness.status !== 'scheduled') return ignored(state, 'invalidState', `${rel.id} has no scheduled server certificate`);
    let next = putRelationship(state, freeze({ ...rel, serverReadiness: null }));
    const effects: CemEffect[] = [];
    const server = getServer(next, rel.listener);
    const stillWanted =
      Object.values(next.relationships).some((r) => r.listener === rel.listener && r.serverReadiness?.fingerprint === readiness.fingerprint) ||
      othersHaveReadiness(next, rel.listener, readiness.fingerprint);
    if (server.candidate !== null && server.candidate.cert.fingerprint === readiness.fingerprint && server.candidate.installRequestedAt === null && !stillWanted) {
      const archive = freeze([...server.archive.filter((a) => a.cert.fingerprint !== readiness.fingerprint), freeze({ cert: server.candidate.cert, archivedAt: toIso(now), reason: 'cancelled' as const })]);
      next = putServer(next, freeze({ ...server, candidate: null, archive }));
      effects.push({ type: 'archiveCertificate', relationshipId: null, side: 'local', usage: 'tlsServer', fingerprint: readiness.fingerprint });
    }
    const settled = settleServer(closeIfSettled(next, readiness.exchangeId), rel.listener, now, false);
    return done(settled.state, [...effects, ...settled.effects]);
  }
  const successor = slotAt(rel, address).successor;
  if (successor === null || successor.status !== 'scheduled') return ignored(state, 'invalidState', `the ${address.side} ${address.usage} slot of ${rel.id} has nothing scheduled`);
  const change = changeSlot(rel, address, (s) => removeSuccessor(s, now, 'cancelled'));
  return done(closeIfSettled(putRelationship(state, change.rel), successor.exchangeId), change.effects);
}

/**
 * Handles `schedule` and `cancelSchedule`.
 *
 * `schedule` puts a certificate in a slot as `scheduled` with its activation time (activating it
 * at once when that time is now or past). Our TLS server certificate becomes (or must equal) the
 * listener's candidate, and this partner's readiness is `scheduled`: it is installed when every
 * partner on the listener is ready. With `emailPartner`, an email exchange announces it
 * (`sendEmail`): one email per scheduled certificate, since each event carries one (accepted
 * for now). The same schedule again (same certificate and time, already emailed when asked) is
 * a `duplicate` and changes nothing, so a host may repeat a call whose outcome a crash hid;
 * another time reschedules. `cancelSchedule` withdraws a scheduled certificate (archived as
 * `cancelled`).
 *
 * @example
 * ```ts
 * onScheduleEvent(state, { type: 'schedule', relationshipId: 'acme', side: 'partner', usage: 'signing', certificate, activateAt }, now)
 * ```
 * @throws never.
 */
export function onScheduleEvent(state: CemState, event: Extract<CemEvent, { type: 'schedule' | 'cancelSchedule' }>, now: Date): TransitionResult {
  return event.type === 'schedule' ? onSchedule(state, event, now) : onCancel(state, event, now);
}
