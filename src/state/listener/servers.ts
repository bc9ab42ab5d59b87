/**
 * Listener server certificates: consensus-driven installs, install confirmations, the host's
 * configured certificate and the administrator's override.
 *
 * @module
 */
import { claimDaily } from '../../policy/alert-days.js';
import { activatedAlert, serverConflictAlert, serverPendingAlert } from '../../policy/alerts.js';
import { toIso } from '../../policy/deadlines.js';
import { assessServerConsensus, isBlocked, partnersOn } from '../../policy/server-consensus.js';
import { assertNever } from '../assert-never.js';
import { normalizeFingerprint, toCertRef } from '../relationship/cert-ref.js';
import type { CemEffect } from '../effects.js';
import type { CemEvent } from '../events.js';
import { freeze } from '../freeze.js';
import { restoreServerOnRejection } from '../relationship/late-rejection.js';
import { getServer, putServer } from '../lookup.js';
import { othersOf, parseMark } from '../indexes/listener-tally.js';
import type { ActivationCause, ArchivedCert, CemState, CertRef, ServerProtocol, ServerReadiness, ServerSlot } from '../model.js';
import { putRelationship } from '../relationship/relationship-slots.js';
import { done, ignored, notify, type TransitionResult } from '../result.js';
import { closeIfSettled } from '../relationship/settle.js';
import { isLocalInput, isOneOf, isText } from '../validate.js';

/** Every listener protocol. */
export const SERVER_PROTOCOLS: readonly ServerProtocol[] = Object.freeze(['HTTP', 'FTP', 'OFTP', 'SSH-FTP']);

/** A state and effects, while a transition is being built. */
export interface Step {
  readonly state: CemState;
  readonly effects: readonly CemEffect[];
}

/**
 * Evaluates a listener's consensus and acts on it: the install effect (once), a daily conflict
 * alert, and, when `daily` (ticks), the daily `serverCertificatePending` alert while the
 * candidate is not installed and any partner on the listener is still waited for or rejected it
 * (a rejection blocks the install until "set as active", so the reminder goes on). The alert
 * names those partners, so only a state that holds every partner on the listener raises it (in
 * the engine, the listener's own tick); partners counted in `state.listenerOthers` weigh in the
 * install decision and its cause.
 *
 * @example
 * ```ts
 * const step = settleServer(state, 'HTTP', now, true)
 * ```
 * @throws never.
 */
export function settleServer(state: CemState, protocol: ServerProtocol, now: Date, daily: boolean): Step {
  const slot = getServer(state, protocol);
  const consensus = assessServerConsensus(state, protocol, now);
  const effects: CemEffect[] = [];
  let next = state;
  let alertLog = state.alertLog;
  const candidate = slot.candidate;
  if (consensus.install && candidate !== null) {
    const partners = partnersOn(state, protocol);
    const others = Object.keys(othersOf(state, protocol)).map((mark) => parseMark(mark).readiness);
    const allScheduled = partners.every((rel) => rel.serverReadiness?.status === 'scheduled') && others.every((r) => r?.status === 'scheduled');
    // Ready only because a respond-by time passed (useAfterRespondBy): a later rejection undoes the install.
    const expiredFor = (r: Pick<ServerReadiness, 'fingerprint' | 'status'> | null): boolean => r?.fingerprint === candidate.cert.fingerprint && r.status === 'expired';
    const anyExpired = partners.some((rel) => expiredFor(rel.serverReadiness)) || others.some(expiredFor);
    const cause: ActivationCause = candidate.installCause ?? (allScheduled ? 'schedule' : anyExpired ? 'respondByPassed' : 'cem');
    next = putServer(next, freeze({ ...slot, candidate: freeze({ ...candidate, installRequestedAt: toIso(now), installCause: cause }) }));
    effects.push({ type: 'installServerCertificate', protocol, fingerprint: candidate.cert.fingerprint, keyRef: candidate.cert.keyRef ?? null });
  }
  if (consensus.conflict) {
    const claim = claimDaily(alertLog, `serverCertificateConflict:${protocol}`, now, state.settings.alertDayOffsetMinutes);
    if (claim.fire) effects.push(notify(serverConflictAlert(protocol, consensus.accepted, claim.day)));
    alertLog = claim.alertLog;
  }
  // Still not accepted by every partner: daily while anyone is waited for or rejects it (a rejection blocks it until set active).
  const blocked = isBlocked(consensus);
  // It lists every partner waited for: only a state holding them all (the listener's own tick) raises it.
  const whole = Object.keys(othersOf(state, protocol)).length === 0;
  if (daily && whole && candidate !== null && candidate.installRequestedAt === null && !consensus.install && blocked) {
    const claim = claimDaily(alertLog, `serverCertificatePending:${protocol}:${candidate.cert.fingerprint}`, now, state.settings.alertDayOffsetMinutes);
    if (claim.fire) effects.push(notify(serverPendingAlert(protocol, candidate.cert, consensus.waiting, claim.day, consensus.rejecting)));
    alertLog = claim.alertLog;
  }
  if (alertLog !== next.alertLog) next = freeze({ ...next, alertLog });
  return freeze({ state: next, effects: freeze(effects) });
}

function archiveInstalled(slot: ServerSlot, cert: CertRef, now: Date, reason: ArchivedCert['reason']): { archive: readonly ArchivedCert[]; archived: CertRef | null } {
  const old = slot.installed;
  if (old === null || old.cert.fingerprint === cert.fingerprint) return { archive: slot.archive, archived: null };
  const kept = slot.archive.filter((a) => a.cert.fingerprint !== old.cert.fingerprint && a.cert.fingerprint !== cert.fingerprint);
  return { archive: freeze([...kept, freeze({ cert: old.cert, archivedAt: toIso(now), reason })]), archived: old.cert };
}

/**
 * Makes `cert` the installed certificate of a listener: the old one archived, a matching
 * candidate consumed, and every partner readiness for it cleared (the exchange is complete).
 * `state` must hold every partner on the listener (the engine loads them all for server events).
 *
 * @example
 * ```ts
 * const step = installServer(state, 'HTTP', ref, now, 'cem')
 * ```
 * @throws never.
 */
export function installServer(state: CemState, protocol: ServerProtocol, cert: CertRef, now: Date, cause: ActivationCause): Step {
  const slot = getServer(state, protocol);
  const { archive, archived } = archiveInstalled(slot, cert, now, 'replaced');
  const candidate = slot.candidate !== null && slot.candidate.cert.fingerprint === cert.fingerprint ? null : slot.candidate;
  const replaced = cause === 'respondByPassed' ? { replaced: freeze(archived === null ? [] : [archived.fingerprint]) } : {};
  let next = putServer(state, freeze({ ...slot, installed: freeze({ cert, since: toIso(now), cause, ...replaced }), candidate, archive }));
  for (const rel of partnersOn(next, protocol)) {
    if (rel.serverReadiness !== null && rel.serverReadiness.fingerprint === cert.fingerprint) {
      next = putRelationship(next, freeze({ ...rel, serverReadiness: null }));
    }
  }
  const effects: CemEffect[] = [];
  if (archived !== null) effects.push({ type: 'archiveCertificate', relationshipId: null, side: 'local', usage: 'tlsServer', fingerprint: archived.fingerprint });
  const kind = cause === 'schedule' ? 'scheduledActivated' : 'certificateActivated';
  effects.push(notify(activatedAlert(kind, { relationshipId: null, side: 'local', usage: `${protocol} server` }, cert, cause)));
  return freeze({ state: next, effects: freeze(effects) });
}

/**
 * Withdraws a listener's candidate server certificate: it is archived with reason `cancelled`
 * (an `archiveCertificate` effect; it was never presented), every partner's readiness for it is
 * cleared, whatever its status (pending, accepted, rejected, expired, emailed, scheduled,
 * sendFailed), and each exchange that carried it is closed when nothing else of it waits (see
 * `closeIfSettled`): its `requestOverdue` reminders stop, a later `requestDelivered` or
 * `requestFailed` is ignored, and a Response that arrives later is recorded without touching the
 * listener. Exchanges that still wait for other certificates stay open; their server item is
 * simply no longer acted on. The daily `serverCertificatePending` alert stops with the candidate,
 * and a new server certificate can be sent or scheduled for the listener. Also after the install
 * was requested but not confirmed: the host must then not complete it (a later
 * `serverCertificateInstalled` for it is refused as `unknownCertificate`; the host reports what
 * its listener really presents with `serverCertificateConfigured`). `state` must hold every
 * partner on the listener.
 *
 * @example
 * ```ts
 * const step = withdrawCandidate(state, 'HTTP', now) // null when the listener has no candidate
 * ```
 * @throws never.
 */
export function withdrawCandidate(state: CemState, protocol: ServerProtocol, now: Date): Step | null {
  const slot = getServer(state, protocol);
  const candidate = slot.candidate;
  if (candidate === null) return null;
  const fingerprint = candidate.cert.fingerprint;
  const archive = freeze([
    ...slot.archive.filter((a) => a.cert.fingerprint !== fingerprint),
    freeze({ cert: candidate.cert, archivedAt: toIso(now), reason: 'cancelled' as const }),
  ]);
  let next = putServer(state, freeze({ ...slot, candidate: null, archive }));
  const exchanges: string[] = [];
  for (const rel of partnersOn(next, protocol)) {
    const readiness = rel.serverReadiness;
    if (readiness === null || readiness.fingerprint !== fingerprint) continue;
    next = putRelationship(next, freeze({ ...rel, serverReadiness: null }));
    if (readiness.exchangeId !== null) exchanges.push(readiness.exchangeId);
  }
  for (const id of exchanges) next = closeIfSettled(next, id);
  const effects: CemEffect[] = [{ type: 'archiveCertificate', relationshipId: null, side: 'local', usage: 'tlsServer', fingerprint }];
  return freeze({ state: next, effects: freeze(effects) });
}

type ServerEvent = Extract<CemEvent, { type: 'serverCertificateInstalled' | 'serverCertificateConfigured' | 'setServerActive' | 'withdrawServerCandidate' }>;

/**
 * Handles `serverCertificateInstalled`, `serverCertificateConfigured`, `setServerActive` and
 * `withdrawServerCandidate` (see {@link withdrawCandidate}; `invalidState` without a candidate).
 * `serverCertificateConfigured` reports what the listener presents: a different certificate than
 * the candidate leaves the candidate in place (a rollover in progress is only ended by installing
 * or withdrawing it).
 *
 * @example
 * ```ts
 * onServerEvent(state, { type: 'setServerActive', protocol: 'HTTP' }, now)
 * ```
 * @throws never.
 */
export function onServerEvent(state: CemState, event: ServerEvent, now: Date): TransitionResult {
  if (!isOneOf(event.protocol, SERVER_PROTOCOLS)) return ignored(state, 'invalidEvent', 'unknown listener protocol');
  const slot = getServer(state, event.protocol);
  switch (event.type) {
    case 'serverCertificateInstalled': {
      if (!isText(event.fingerprint)) return ignored(state, 'invalidEvent', 'fingerprint missing');
      const fingerprint = normalizeFingerprint(event.fingerprint);
      if (slot.installed?.cert.fingerprint === fingerprint) return ignored(state, 'duplicate', `${fingerprint} is already installed`);
      if (slot.candidate === null || slot.candidate.cert.fingerprint !== fingerprint) {
        return ignored(state, 'unknownCertificate', `${fingerprint} is not the ${event.protocol} candidate`);
      }
      const cause = slot.candidate.installCause ?? 'manual';
      // A partner that rejected the candidate after its install was requested (respond-by passed)
      const rejecting = cause === 'respondByPassed'
        ? partnersOn(state, event.protocol).find((rel) => rel.serverReadiness?.fingerprint === fingerprint && rel.serverReadiness.status === 'rejected')
        : undefined;
      const step = installServer(state, event.protocol, slot.candidate.cert, now, cause);
      const readiness = rejecting?.serverReadiness;
      if (rejecting === undefined || readiness == null) return done(step.state, step.effects);
      const undone = restoreServerOnRejection(step.state, event.protocol, fingerprint, { relationshipId: rejecting.id, requestId: readiness.exchangeId ?? '-', reason: readiness.reason }, now);
      return undone === null ? done(step.state, step.effects) : done(undone.state, [...step.effects, ...undone.effects]);
    }
    case 'serverCertificateConfigured': {
      if (!isLocalInput(event.certificate)) return ignored(state, 'invalidEvent', 'certificate missing or malformed');
      const cert = toCertRef(event.certificate.certificate, event.certificate.keyRef);
      if (slot.installed?.cert.fingerprint === cert.fingerprint) return ignored(state, 'duplicate', `${cert.fingerprint} is already installed`);
      const step = installServer(state, event.protocol, cert, now, slot.installed === null ? 'initial' : 'manual');
      return done(step.state, step.effects);
    }
    case 'withdrawServerCandidate': {
      const step = withdrawCandidate(state, event.protocol, now);
      if (step === null) return ignored(state, 'invalidState', `no candidate server certificate for ${event.protocol}`);
      return done(step.state, step.effects);
    }
    case 'setServerActive': {
      if (slot.candidate === null) return ignored(state, 'invalidState', `no candidate server certificate for ${event.protocol}`);
      const candidate = freeze({ ...slot.candidate, installRequestedAt: toIso(now), installCause: 'manual' as const });
      return done(putServer(state, freeze({ ...slot, candidate })), [
        { type: 'installServerCertificate', protocol: event.protocol, fingerprint: candidate.cert.fingerprint, keyRef: candidate.cert.keyRef ?? null },
      ]);
    }
    default:
      return assertNever(event);
  }
}
