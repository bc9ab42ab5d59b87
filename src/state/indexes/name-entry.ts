/**
 * The name index entry of a relationship (`name/<AS2-From, AS2-To>`): where inbound messages
 * between these AS2 names go, and what an ordinary message needs to know without reading the
 * relationship: whether the partner is recorded as CEM-capable and which signing certificates
 * may change that. The engine rewrites the entry in the same commit as any change to it, so
 * `featuresChange(entry, …)` answers exactly what `transition(…, featuresObserved)` would.
 *
 * @module
 */
import type { Fingerprint, Relationship } from '../model.js';
import { partnerSigners } from '../lookup.js';

/** A relationship's name index entry. */
export interface NameEntry {
  readonly relationshipId: string;
  readonly as2From: string;
  readonly as2To: string;
  /** The partner's last verified EDIINT-Features advertised CEM. */
  readonly cem: boolean;
  /** The partner signing certificates whose messages may change `cem` ({@link partnerSigners}). */
  readonly signers: readonly Fingerprint[];
}

/**
 * The name index entry of `rel`.
 *
 * @example
 * ```ts
 * nameEntry(rel) // { relationshipId: 'acme', as2From: 'ACME', as2To: 'US', cem: true, signers: ['ab12…'] }
 * ```
 * @throws never.
 */
export function nameEntry(rel: Relationship): NameEntry {
  return { relationshipId: rel.id, as2From: rel.partnerName, as2To: rel.localName, cem: rel.cem.observed, signers: partnerSigners(rel) };
}

/**
 * True when two entries say the same.
 *
 * @example
 * ```ts
 * sameNameEntry(nameEntry(before), nameEntry(after)) // false after a partner signing switch-over
 * ```
 * @throws never.
 */
export function sameNameEntry(a: NameEntry, b: NameEntry): boolean {
  return a.relationshipId === b.relationshipId && a.as2From === b.as2From && a.as2To === b.as2To && a.cem === b.cem
    && a.signers.length === b.signers.length && a.signers.every((s, i) => b.signers[i] === s);
}

/**
 * True when EDIINT-Features advertise CEM (RFC 6017 §3; names compared case-insensitively).
 *
 * @example
 * ```ts
 * featuresIncludeCem(['multiple-attachments', 'cem']) // true
 * ```
 * @throws never.
 */
export function featuresIncludeCem(features: readonly unknown[]): boolean {
  return features.some((f) => typeof f === 'string' && f.trim().toLowerCase() === 'cem');
}

/**
 * Whether a `featuresObserved` for these features and signer would change the relationship the
 * entry describes: only a message verified by an accepted partner signing certificate, and only
 * when it says otherwise than the recorded capability.
 *
 * @example
 * ```ts
 * if (!featuresChange(entry, ['multiple-attachments'], verifiedBy)) return // nothing to write
 * ```
 * @throws never.
 */
export function featuresChange(entry: Pick<NameEntry, 'cem' | 'signers'>, features: readonly unknown[], verifiedBy: Fingerprint | null): boolean {
  if (typeof verifiedBy !== 'string' || !entry.signers.includes(verifiedBy)) return false;
  return featuresIncludeCem(features) !== entry.cem;
}
