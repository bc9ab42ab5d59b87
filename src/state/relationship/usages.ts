/**
 * Usage ↔ slot mapping (decision 1 of docs/lifecycle.md): `keyEncipherment` → encryption,
 * `digitalSignature` → signing, `tlsClient` → TLS client, `tlsServer` → our listener's server
 * certificate (local side) or the partner's TLS server slot (partner side).
 *
 * @module
 */
import type { CertUsage } from '../../types.js';
import { assertNever } from '../assert-never.js';
import type { LocalUsage, PartnerUsage } from '../model.js';

/** Local slot names in display order. */
export const LOCAL_USAGES: readonly LocalUsage[] = Object.freeze(['signing', 'encryption', 'tlsClient']);

/** Partner slot names in display order. */
export const PARTNER_USAGES: readonly PartnerUsage[] = Object.freeze(['signing', 'encryption', 'tlsClient', 'tlsServer']);

/**
 * The partner slot a `CertUsage` refers to.
 *
 * @example
 * ```ts
 * partnerSlotOf('keyEncipherment') // 'encryption'
 * ```
 * @throws never.
 * @see draft-14 §3.1 `CertUsage`.
 */
export function partnerSlotOf(usage: CertUsage): PartnerUsage {
  switch (usage) {
    case 'keyEncipherment':
      return 'encryption';
    case 'digitalSignature':
      return 'signing';
    case 'tlsClient':
      return 'tlsClient';
    case 'tlsServer':
      return 'tlsServer';
    default:
      return assertNever(usage);
  }
}

/**
 * The local slot a `CertUsage` refers to; `'server'` for `tlsServer` (the listener's shared slot).
 *
 * @example
 * ```ts
 * localSlotOf('tlsServer') // 'server'
 * ```
 * @throws never.
 */
export function localSlotOf(usage: CertUsage): LocalUsage | 'server' {
  const slot = partnerSlotOf(usage);
  return slot === 'tlsServer' ? 'server' : slot;
}

/**
 * The `CertUsage` of a slot.
 *
 * @example
 * ```ts
 * certUsageOf('signing') // 'digitalSignature'
 * ```
 * @throws never.
 */
export function certUsageOf(slot: PartnerUsage): CertUsage {
  switch (slot) {
    case 'encryption':
      return 'keyEncipherment';
    case 'signing':
      return 'digitalSignature';
    case 'tlsClient':
      return 'tlsClient';
    case 'tlsServer':
      return 'tlsServer';
    default:
      return assertNever(slot);
  }
}
