/**
 * Whether a relationship can exchange certificates by CEM (decision 2 of docs/lifecycle.md).
 *
 * @module
 */
import type { Relationship } from '../model.js';

/**
 * Established: we have an active signing certificate, and the partner an active signing or
 * encryption certificate (the relationship already carries signed or encrypted traffic).
 *
 * @example
 * ```ts
 * isEstablished(rel) // true when both sides have active certificates
 * ```
 * @throws never.
 */
export function isEstablished(rel: Relationship): boolean {
  return rel.local.signing.active.length > 0 && (rel.partner.signing.active.length > 0 || rel.partner.encryption.active.length > 0);
}

/**
 * The partner takes CEM: the administrator says so (`capable`), or (`auto`) its last message
 * advertised `CEM` in `EDIINT-Features` (draft §2.2, RFC 6017 §3).
 *
 * @example
 * ```ts
 * partnerTakesCem({ ...rel, cem: { observed: true, observedAt: null, override: 'auto' } }) // true
 * ```
 * @throws never.
 */
export function partnerTakesCem(rel: Relationship): boolean {
  return rel.cem.override === 'capable' || (rel.cem.override === 'auto' && rel.cem.observed);
}

/**
 * Our certificates go out as a CEM Request: established, AS2 (CEM is only offered over AS2, as
 * Cleo and Axway do), and the partner takes CEM. Otherwise the same selection goes by email.
 *
 * @example
 * ```ts
 * usesCemChannel(rel) ? 'cem' : 'email'
 * ```
 * @throws never.
 */
export function usesCemChannel(rel: Relationship): boolean {
  return isEstablished(rel) && rel.protocol === 'AS2' && partnerTakesCem(rel);
}

/**
 * First usage applies early to scheduled local encryption and scheduled partner signing
 * certificates: AS2 and AS3 partners that do not take CEM (Cleo "Scheduling certificates for
 * future use").
 *
 * @example
 * ```ts
 * allowsEarlyFirstUsage({ ...rel, protocol: 'AS3' })
 * ```
 * @throws never.
 */
export function allowsEarlyFirstUsage(rel: Relationship): boolean {
  return (rel.protocol === 'AS2' || rel.protocol === 'AS3') && !partnerTakesCem(rel);
}
