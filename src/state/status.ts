/**
 * Status queries for the engine's "list status": one status per relationship, one per
 * certificate. Pure reads of the state.
 *
 * @module
 */
import { isEstablished, usesCemChannel } from './relationship/capability.js';
import { freeze } from './freeze.js';
import { getRelationship, getServer } from './lookup.js';
import type { CemState, Fingerprint, IsoInstant, LocalUsage, PartnerUsage, ServerReadiness, SuccessorStatus } from './model.js';
import { ALL_SLOTS, slotAt } from './relationship/relationship-slots.js';
import { assertNever } from './assert-never.js';

/** Status of a relationship as a whole. */
export type RelationshipStatus = 'SendFailed' | 'Rejected' | 'Expired' | 'Pending' | 'Emailed' | 'Scheduled' | 'Accepted' | 'Active';

/**
 * Relationship statuses from the most to the least urgent: the relationship shows the first one
 * that any of its certificates or exchanges has. SendFailed (retry needed) before Rejected (a new
 * certificate is needed) before Expired (resend or set active) before Pending (waiting for the
 * partner or for us) before Emailed (waiting for a manual "set as active") before Scheduled
 * (waiting for a time) before Accepted (accepted, waiting only for first usage or for the other
 * partners of a listener: nothing to do); Active when nothing is in flight.
 */
export const RELATIONSHIP_STATUS_PRECEDENCE: readonly RelationshipStatus[] = Object.freeze(['SendFailed', 'Rejected', 'Expired', 'Pending', 'Emailed', 'Scheduled', 'Accepted', 'Active']);

/** Status of one certificate. */
export type CertificateStatus = 'Active' | 'Pending' | 'Accepted' | 'Scheduled' | 'Emailed' | 'Rejected' | 'Expired' | 'SendFailed' | 'Archived';

/** One certificate of a relationship with its status. */
export interface CertificateStatusEntry {
  readonly side: 'local' | 'partner';
  /** The slot; `tlsServer` on the local side is the listener's shared server certificate. */
  readonly usage: LocalUsage | PartnerUsage;
  readonly fingerprint: Fingerprint;
  readonly subject: string;
  readonly serial: string;
  readonly notAfter: IsoInstant;
  readonly status: CertificateStatus;
  /** Since when it has this status (archived: when it was archived). */
  readonly since: IsoInstant | null;
  readonly activateAt: IsoInstant | null;
  readonly reason: string | null;
  readonly exchangeId: string | null;
}

/**
 * The certificate status of a successor status.
 *
 * @example
 * ```ts
 * certificateStatusOf('sendFailed') // 'SendFailed'
 * ```
 * @throws never for a status of the union.
 */
export function certificateStatusOf(status: SuccessorStatus | ServerReadiness['status']): CertificateStatus {
  switch (status) {
    case 'pending':
      return 'Pending';
    case 'accepted':
      return 'Accepted';
    case 'scheduled':
      return 'Scheduled';
    case 'emailed':
      return 'Emailed';
    case 'rejected':
      return 'Rejected';
    case 'expired':
      return 'Expired';
    case 'sendFailed':
      return 'SendFailed';
    default:
      return assertNever(status);
  }
}

/**
 * Every certificate of a relationship with its status (active, successor, archived; our
 * listener's installed, candidate and archived server certificates), or `null` for an unknown
 * relationship.
 *
 * @example
 * ```ts
 * certificateStatuses(state, 'acme')?.filter((c) => c.status === 'Pending')
 * ```
 * @throws never.
 */
export function certificateStatuses(state: CemState, relationshipId: string): readonly CertificateStatusEntry[] | null {
  const rel = getRelationship(state, relationshipId);
  if (rel === undefined) return null;
  const entries: CertificateStatusEntry[] = [];
  const add = (side: 'local' | 'partner', usage: LocalUsage | PartnerUsage, cert: { fingerprint: string; subject: string; serial: string; notAfter: string }, rest: Pick<CertificateStatusEntry, 'status' | 'since' | 'activateAt' | 'reason' | 'exchangeId'>): void => {
    entries.push(freeze({ side, usage, fingerprint: cert.fingerprint, subject: cert.subject, serial: cert.serial, notAfter: cert.notAfter, ...rest }));
  };
  for (const address of ALL_SLOTS) {
    const slot = slotAt(rel, address);
    for (const a of slot.active) add(address.side, address.usage, a.cert, { status: 'Active', since: a.since, activateAt: null, reason: null, exchangeId: null });
    const s = slot.successor;
    if (s !== null) add(address.side, address.usage, s.cert, { status: certificateStatusOf(s.status), since: s.since, activateAt: s.activateAt, reason: s.reason, exchangeId: s.exchangeId });
    for (const a of slot.archive) add(address.side, address.usage, a.cert, { status: 'Archived', since: a.archivedAt, activateAt: null, reason: a.reason, exchangeId: null });
  }
  if (rel.listener !== null) {
    const server = getServer(state, rel.listener);
    if (server.installed !== null) add('local', 'tlsServer', server.installed.cert, { status: 'Active', since: server.installed.since, activateAt: null, reason: null, exchangeId: null });
    const r = rel.serverReadiness;
    if (server.candidate !== null && r !== null && r.fingerprint === server.candidate.cert.fingerprint) {
      add('local', 'tlsServer', server.candidate.cert, { status: certificateStatusOf(r.status), since: server.candidate.since, activateAt: r.activateAt, reason: r.reason, exchangeId: r.exchangeId });
    }
    for (const a of server.archive) add('local', 'tlsServer', a.cert, { status: 'Archived', since: a.archivedAt, activateAt: null, reason: a.reason, exchangeId: null });
  }
  return freeze(entries);
}

/** A relationship's status with what it rests on. */
export interface RelationshipStatusReport {
  readonly relationshipId: string;
  readonly status: RelationshipStatus;
  /** Active certificates both ways (see `isEstablished`). */
  readonly established: boolean;
  /** Our certificates would go out by CEM (otherwise by email). */
  readonly cemChannel: boolean;
  /** Every status found, most urgent first. */
  readonly found: readonly RelationshipStatus[];
}

const fromCertificate = (status: CertificateStatus): RelationshipStatus | null => (status === 'Archived' ? null : status);

/**
 * The status of a relationship: the most urgent (see {@link RELATIONSHIP_STATUS_PRECEDENCE}) of
 * its successor certificates and server readiness (ours accepted by the partner and waiting for
 * its first usage or for the other partners of the listener, or the partner's accepted by us and
 * waiting for its first usage, show Accepted), its outbound
 * exchanges (sending/pending → Pending, sendFailed → SendFailed, expired → Expired) and received
 * Requests (awaiting a decision or responding → Pending, responseFailed → SendFailed). `null`
 * for an unknown relationship.
 *
 * @example
 * ```ts
 * relationshipStatus(state, 'acme')?.status // 'Pending'
 * ```
 * @throws never.
 */
export function relationshipStatus(state: CemState, relationshipId: string): RelationshipStatusReport | null {
  const rel = getRelationship(state, relationshipId);
  const certs = certificateStatuses(state, relationshipId);
  if (rel === undefined || certs === null) return null;
  const found = new Set<RelationshipStatus>(['Active']);
  for (const c of certs) {
    const status = c.status === 'Active' ? null : fromCertificate(c.status);
    if (status !== null) found.add(status);
  }
  for (const ex of Object.values(state.outbound)) {
    if (ex.relationshipId !== rel.id) continue;
    if (ex.status === 'sending' || ex.status === 'pending') found.add('Pending');
    else if (ex.status === 'sendFailed') found.add('SendFailed');
    else if (ex.status === 'expired') found.add('Expired');
  }
  for (const ex of Object.values(state.inbound)) {
    if (ex.relationshipId !== rel.id) continue;
    if (ex.status === 'awaitingDecision' || ex.status === 'responding') found.add('Pending');
    else if (ex.status === 'responseFailed') found.add('SendFailed');
  }
  const ordered = RELATIONSHIP_STATUS_PRECEDENCE.filter((s) => found.has(s));
  return freeze({
    relationshipId: rel.id,
    status: ordered[0] ?? 'Active',
    established: isEstablished(rel),
    cemChannel: usesCemChannel(rel),
    found: freeze(ordered),
  });
}
