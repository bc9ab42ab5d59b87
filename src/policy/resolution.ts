/**
 * Certificate resolution, the hot path: which certificates the AS2 layer uses for one
 * relationship at one instant, at all six AS2 lookups plus TLS (decision 11 of
 * docs/lifecycle.md).
 *
 * It reads one relationship and one server slot, never scans the state, and allocates only the
 * returned lists.
 *
 * @module
 */
import { assertNever } from '../state/assert-never.js';
import { allowsEarlyFirstUsage } from '../state/relationship/capability.js';
import { freeze } from '../state/freeze.js';
import type { ArchivedCert, CemState, CertRef, CertSlot, Relationship, Successor } from '../state/model.js';
import { isDue } from './deadlines.js';

/** The certificates of one relationship at one instant. */
export interface ResolvedCertificates {
  readonly relationshipId: string;
  /** Sign outbound messages: our active signing certificate. */
  readonly signOutbound: CertRef | null;
  /** Encrypt outbound messages: the partner's active encryption certificate. */
  readonly encryptOutbound: CertRef | null;
  /** Decrypt inbound messages: every acceptable certificate of ours (old and new during an overlap). */
  readonly decryptInbound: readonly CertRef[];
  /** Verify inbound signatures: every acceptable partner signing certificate. */
  readonly verifyInbound: readonly CertRef[];
  /** Sign our MDNs: our active signing certificate. */
  readonly signMdn: CertRef | null;
  /** Verify the partner's returned MDNs: every acceptable partner signing certificate. */
  readonly verifyMdn: readonly CertRef[];
  /** Present as TLS client: our active TLS client certificate. */
  readonly tlsClient: CertRef | null;
  /** Present as TLS server: the installed certificate of our listener for this partner. */
  readonly tlsServer: CertRef | null;
  /** Trust as the partner's TLS server: every acceptable partner TLS server certificate. */
  readonly tlsServerTrust: readonly CertRef[];
  /** Trust as the partner's TLS client: every acceptable partner TLS client certificate. */
  readonly tlsClientTrust: readonly CertRef[];
  /** Retired certificates of ours, only for decrypting old traffic again (draft §1.3). */
  readonly decryptArchive: readonly CertRef[];
  /** Retired partner signing certificates, only for verifying old traffic again (draft §1.3). */
  readonly verifyArchive: readonly CertRef[];
}

const EMPTY: readonly CertRef[] = Object.freeze([]);

/** A scheduled successor whose activation time has come counts as active before the next tick. */
function isDueSchedule(successor: Successor | null, now: Date): boolean {
  return successor !== null && successor.status === 'scheduled' && successor.activateAt !== null && isDue(successor.activateAt, now);
}

function outboundCert(slot: CertSlot, now: Date): CertRef | null {
  if (isDueSchedule(slot.successor, now)) return slot.successor?.cert ?? null;
  return slot.active[0]?.cert ?? null;
}

function acceptable(slot: CertSlot, extra: boolean): readonly CertRef[] {
  if (slot.active.length === 0 && !extra) return EMPTY;
  const certs = slot.active.map((a) => a.cert);
  if (extra && slot.successor !== null) certs.push(slot.successor.cert);
  return freeze(certs);
}

/** Archived certificates for reprocessing: not cancelled ones, and not those live again (re-sent or re-scheduled). */
function archived(archive: readonly ArchivedCert[], live: readonly CertRef[]): readonly CertRef[] {
  if (archive.length === 0) return EMPTY;
  return freeze(archive.filter((a) => a.reason !== 'cancelled' && !live.some((c) => c.fingerprint === a.cert.fingerprint)).map((a) => a.cert));
}

/**
 * True when our encryption successor decrypts: from distribution on (`pending`, also after the
 * respond-by time passed, `expired`; draft §1.4/§2.4), once `accepted`, when `emailed`, when
 * `sendFailed` (a failed send may only have lost its MDN while the partner got the Request, and
 * decrypting with our own key risks nothing), and when `scheduled` and due or (AS2/AS3 partners
 * without CEM) early by first usage. Never `rejected`: the partner said it will not use it.
 */
function decryptsWithSuccessor(rel: Relationship, now: Date): boolean {
  const s = rel.local.encryption.successor;
  if (s === null) return false;
  switch (s.status) {
    case 'pending':
    case 'accepted':
    case 'expired':
    case 'emailed':
    case 'sendFailed':
      return true;
    case 'scheduled':
      return isDueSchedule(s, now) || allowsEarlyFirstUsage(rel);
    case 'rejected':
      return false;
    default:
      return assertNever(s.status);
  }
}

/** A partner successor is trusted once `accepted`, or `scheduled` and due (signing: also early for AS2/AS3 partners without CEM). */
function trustsPartnerSuccessor(rel: Relationship, slot: CertSlot, early: boolean, now: Date): boolean {
  const s = slot.successor;
  if (s === null) return false;
  if (s.status === 'accepted') return true;
  return s.status === 'scheduled' && (isDueSchedule(s, now) || (early && allowsEarlyFirstUsage(rel)));
}

/**
 * Resolves the certificates of one relationship at `now`, or `null` for an unknown relationship.
 * Never returns a `pending` (except our own encryption successor, which decrypts from
 * distribution), `rejected` or `sendFailed` (again except our own encryption successor) certificate for use; during an overlap every live
 * list holds the old certificate(s) and the new one. Archived certificates come only in
 * `decryptArchive` / `verifyArchive`, never in the live lists.
 *
 * @example
 * ```ts
 * const r = resolveCertificates(state, 'acme', now)
 * r?.verifyInbound.map((c) => c.fingerprint) // old and new during an overlap
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` only for a corrupted state (a successor status outside its union).
 * @see draft-14 §1.4, §2.4.
 */
export function resolveCertificates(state: CemState, relationshipId: string, now: Date): ResolvedCertificates | null {
  const rel = Object.hasOwn(state.relationships, relationshipId) ? state.relationships[relationshipId] : undefined;
  if (rel === undefined) return null;
  const server = rel.listener !== null && Object.hasOwn(state.servers, rel.listener) ? state.servers[rel.listener] : undefined;
  const sign = outboundCert(rel.local.signing, now);
  const verify = acceptable(rel.partner.signing, trustsPartnerSuccessor(rel, rel.partner.signing, true, now));
  const decrypt = acceptable(rel.local.encryption, decryptsWithSuccessor(rel, now));
  return freeze({
    relationshipId: rel.id,
    signOutbound: sign,
    encryptOutbound: outboundCert(rel.partner.encryption, now),
    decryptInbound: decrypt,
    verifyInbound: verify,
    signMdn: sign,
    verifyMdn: verify,
    tlsClient: outboundCert(rel.local.tlsClient, now),
    tlsServer: server?.installed?.cert ?? null,
    tlsServerTrust: acceptable(rel.partner.tlsServer, trustsPartnerSuccessor(rel, rel.partner.tlsServer, false, now)),
    tlsClientTrust: acceptable(rel.partner.tlsClient, trustsPartnerSuccessor(rel, rel.partner.tlsClient, false, now)),
    decryptArchive: archived(rel.local.encryption.archive, decrypt),
    verifyArchive: archived(rel.partner.signing.archive, verify),
  });
}
