/**
 * Server certificate consensus: our TLS/SSH server certificate is shared by every partner on a
 * listener, so a new one is installed only when every partner on that listener is ready for it
 * (Cleo: "installed only after every HTTP/s partner accepted"; Axway: "if even a single partner
 * rejects the certificate, the community does not implement it").
 *
 * @module
 */
import { assertNever } from '../state/assert-never.js';
import { freeze } from '../state/freeze.js';
import { othersOf, parseMark, requestUndelivered } from '../state/indexes/listener-tally.js';
import type { CemState, Fingerprint, Relationship, ServerProtocol, ServerReadiness } from '../state/model.js';
import { isDue } from './deadlines.js';

/** Where one partner stands with the candidate. */
export type PartnerServerStance = 'ready' | 'waiting' | 'rejecting';

/** The consensus of one listener about its candidate certificate. */
export interface ServerConsensus {
  readonly protocol: ServerProtocol;
  /** The candidate's fingerprint, `null` when there is none. */
  readonly candidate: Fingerprint | null;
  /** Relationship ids whose partner is ready: accepted, or scheduled and due. */
  readonly ready: readonly string[];
  /** Relationship ids still waited for (no readiness for the candidate, pending, emailed, scheduled later...). */
  readonly waiting: readonly string[];
  /** Relationship ids whose partner rejected the candidate. */
  readonly rejecting: readonly string[];
  /**
   * The partners on the listener that the state does not hold (`state.listenerOthers`), counted
   * by stance; all 0 for a whole state. The install decision weighs them with the ids above.
   */
  readonly others: { readonly ready: number; readonly waiting: number; readonly rejecting: number };
  /** True when the candidate should be installed now (and has not been requested yet). */
  readonly install: boolean;
  /** Distinct fingerprints accepted by partners on this listener. */
  readonly accepted: readonly Fingerprint[];
  /** True when more than one distinct certificate is accepted for this listener. */
  readonly conflict: boolean;
}

/**
 * One partner's stance on a candidate: `ready` for `accepted`, for `scheduled` once its time has
 * come, and (when `useAfterRespondBy` is on, draft §2.4 MAY) for `expired`, unless that Request
 * expired before its delivery was confirmed (`undelivered`); `rejecting` for `rejected`;
 * `waiting` otherwise, including a readiness for another certificate.
 *
 * @example
 * ```ts
 * partnerStance({ fingerprint: fp, status: 'accepted', exchangeId: 'r1', activateAt: null, reason: null }, fp, now, false) // 'ready'
 * ```
 * @throws never.
 */
export function partnerStance(readiness: Pick<ServerReadiness, 'fingerprint' | 'status' | 'activateAt'> | null, candidate: Fingerprint, now: Date, useAfterRespondBy: boolean, undelivered = false): PartnerServerStance {
  if (readiness === null || readiness.fingerprint !== candidate) return 'waiting';
  switch (readiness.status) {
    case 'accepted':
      return 'ready';
    case 'scheduled':
      return readiness.activateAt !== null && isDue(readiness.activateAt, now) ? 'ready' : 'waiting';
    case 'expired':
      return useAfterRespondBy && !undelivered ? 'ready' : 'waiting';
    case 'rejected':
      return 'rejecting';
    case 'pending':
    case 'emailed':
    case 'sendFailed':
      return 'waiting';
    default:
      return assertNever(readiness.status);
  }
}

/**
 * The relationships in `state` whose listener is `protocol` (an engine slice may hold only some
 * of them: see `state.listenerOthers`).
 *
 * @example
 * ```ts
 * partnersOn(state, 'HTTP').map((r) => r.id)
 * ```
 * @throws never.
 */
export function partnersOn(state: CemState, protocol: ServerProtocol): Relationship[] {
  return Object.values(state.relationships).filter((rel) => rel.listener === protocol);
}

/**
 * Assesses a listener: who is ready, waiting or rejecting for its candidate; whether to install
 * it (every partner ready, none rejecting, at least one partner, its `installAfter` passed, no
 * install requested yet); and whether partners accepted different certificates. The partners the
 * state does not hold (`state.listenerOthers`, an engine slice) count by their marks.
 *
 * @example
 * ```ts
 * const c = assessServerConsensus(state, 'HTTP', now)
 * if (c.install) effects.push({ type: 'installServerCertificate', ... })
 * ```
 * @throws never.
 */
export function assessServerConsensus(state: CemState, protocol: ServerProtocol, now: Date): ServerConsensus {
  const slot = Object.hasOwn(state.servers, protocol) ? state.servers[protocol] : undefined;
  const candidate = slot?.candidate ?? null;
  const ready: string[] = [];
  const waiting: string[] = [];
  const rejecting: string[] = [];
  const accepted = new Set<Fingerprint>();
  for (const rel of partnersOn(state, protocol)) {
    const readiness = rel.serverReadiness;
    if (readiness !== null && readiness.status === 'accepted') accepted.add(readiness.fingerprint);
    if (candidate === null) continue;
    const undelivered = requestUndelivered(readiness?.exchangeId ?? null, state.outbound);
    const stance = partnerStance(readiness, candidate.cert.fingerprint, now, state.settings.useAfterRespondBy, undelivered);
    (stance === 'ready' ? ready : stance === 'waiting' ? waiting : rejecting).push(rel.id);
  }
  const others = { ready: 0, waiting: 0, rejecting: 0 };
  for (const [mark, count] of Object.entries(othersOf(state, protocol))) {
    const { readiness, undelivered } = parseMark(mark);
    if (readiness !== null && readiness.status === 'accepted') accepted.add(readiness.fingerprint);
    if (candidate === null) continue;
    const stance = partnerStance(readiness, candidate.cert.fingerprint, now, state.settings.useAfterRespondBy, undelivered);
    others[stance] += count;
  }
  const install =
    candidate !== null &&
    candidate.installRequestedAt === null &&
    ready.length + others.ready > 0 &&
    waiting.length + others.waiting === 0 &&
    rejecting.length + others.rejecting === 0 &&
    (candidate.installAfter === null || isDue(candidate.installAfter, now));
  return freeze({
    protocol,
    candidate: candidate?.cert.fingerprint ?? null,
    ready: freeze(ready),
    waiting: freeze(waiting),
    rejecting: freeze(rejecting),
    others: freeze(others),
    install,
    accepted: freeze([...accepted].sort()),
    conflict: accepted.size > 1,
  });
}

/**
 * True when some partner on the listener, held in the state or counted in `others`, is still
 * waited for or rejects the candidate.
 *
 * @example
 * ```ts
 * if (!c.install && isBlocked(c)) remindDaily()
 * ```
 * @throws never.
 */
export function isBlocked(consensus: ServerConsensus): boolean {
  return consensus.waiting.length + consensus.others.waiting > 0 || consensus.rejecting.length + consensus.others.rejecting > 0;
}
