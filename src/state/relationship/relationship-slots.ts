/**
 * Addressing and replacing slots inside a {@link Relationship}, and relationships inside the state.
 *
 * @module
 */
import type { CemEffect } from '../effects.js';
import { freeze } from '../freeze.js';
import type { CemState, CertRef, CertSlot, LocalUsage, PartnerUsage, Relationship } from '../model.js';
import type { SlotChange } from './slots.js';
import { LOCAL_USAGES, PARTNER_USAGES } from './usages.js';

/** One slot of a relationship: a local or a partner usage. */
export type SlotAddress =
  | { readonly side: 'local'; readonly usage: LocalUsage }
  | { readonly side: 'partner'; readonly usage: PartnerUsage };

/** Every slot address of a relationship, local first, in display order. */
export const ALL_SLOTS: readonly SlotAddress[] = Object.freeze([
  ...LOCAL_USAGES.map((usage) => Object.freeze({ side: 'local' as const, usage })),
  ...PARTNER_USAGES.map((usage) => Object.freeze({ side: 'partner' as const, usage })),
]);

/**
 * The slot at an address.
 *
 * @example
 * ```ts
 * slotAt(rel, { side: 'partner', usage: 'signing' }).active
 * ```
 * @throws never.
 */
export function slotAt(rel: Relationship, address: SlotAddress): CertSlot {
  return address.side === 'local' ? rel.local[address.usage] : rel.partner[address.usage];
}

/**
 * The relationship with one slot replaced (the same object when the slot is unchanged).
 *
 * @example
 * ```ts
 * withSlot(rel, { side: 'local', usage: 'signing' }, slot)
 * ```
 * @throws never.
 */
export function withSlot(rel: Relationship, address: SlotAddress, slot: CertSlot): Relationship {
  if (slotAt(rel, address) === slot) return rel;
  if (address.side === 'local') return freeze({ ...rel, local: freeze({ ...rel.local, [address.usage]: slot }) });
  return freeze({ ...rel, partner: freeze({ ...rel.partner, [address.usage]: slot }) });
}

/**
 * `archiveCertificate` effects for certificates a slot change archived.
 *
 * @example
 * ```ts
 * archiveEffects(rel.id, { side: 'local', usage: 'signing' }, change.archived)
 * ```
 * @throws never.
 */
export function archiveEffects(relationshipId: string | null, address: SlotAddress, certs: readonly CertRef[]): CemEffect[] {
  return certs.map((cert) => ({
    type: 'archiveCertificate' as const,
    relationshipId,
    side: address.side,
    usage: address.usage,
    fingerprint: cert.fingerprint,
  }));
}

/** A relationship after a slot change, with the archive effects it needs. */
export interface RelationshipChange {
  readonly rel: Relationship;
  readonly effects: readonly CemEffect[];
}

/**
 * Applies a slot change function at an address.
 *
 * @example
 * ```ts
 * const { rel: next, effects } = changeSlot(rel, addr, (s) => activateSuccessor(s, now, 'manual', 'manual'))
 * ```
 * @throws never.
 */
export function changeSlot(rel: Relationship, address: SlotAddress, change: (slot: CertSlot) => SlotChange): RelationshipChange {
  const result = change(slotAt(rel, address));
  return freeze({ rel: withSlot(rel, address, result.slot), effects: archiveEffects(rel.id, address, result.archived) });
}

/**
 * The state with one relationship replaced or added.
 *
 * @example
 * ```ts
 * putRelationship(state, { ...rel, partnerEmail: 'pki@partner.example' })
 * ```
 * @throws never.
 */
export function putRelationship(state: CemState, rel: Relationship): CemState {
  if (state.relationships[rel.id] === rel) return state;
  return freeze({ ...state, relationships: freeze({ ...state.relationships, [rel.id]: rel }) });
}
