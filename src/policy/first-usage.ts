/**
 * First usage: the partner's traffic shows it switched to a new certificate, so the old one can
 * be retired (Cleo: "the first message signed with the new certificate installs it and archives
 * the old one"; "local encryption certificate on first encrypted message").
 *
 * @module
 */
import { assertNever } from '../state/assert-never.js';
import { allowsEarlyFirstUsage } from '../state/relationship/capability.js';
import { freeze } from '../state/freeze.js';
import type { CertSlot, Fingerprint, Relationship, Successor } from '../state/model.js';
import type { SlotAddress } from '../state/relationship/relationship-slots.js';
import { isDue } from './deadlines.js';

/** What the AS2 layer saw on one message or connection of the partner. */
export interface TrafficObservation {
  /** Our certificate that decrypted the message. */
  readonly decryptedWith?: Fingerprint;
  /** The partner certificate that verified the message's (or MDN's) signature. */
  readonly verifiedWith?: Fingerprint;
  /** The certificate the partner's TLS server presented. */
  readonly partnerTlsServer?: Fingerprint;
  /** The certificate the partner's TLS client presented. */
  readonly partnerTlsClient?: Fingerprint;
}

/** One consequence of an observation. */
export interface FirstUsage {
  readonly address: SlotAddress;
  readonly fingerprint: Fingerprint;
  /**
   * `activateSuccessor`: the slot's successor becomes the only active certificate, the old ones
   * archived. `retireOlder`: an already active certificate was used, so the active ones older
   * than it are archived.
   */
  readonly action: 'activateSuccessor' | 'retireOlder';
  /** The successor was scheduled (its activation alert is `scheduledActivated`). */
  readonly scheduled: boolean;
}

/**
 * True when first usage of this successor activates it: our encryption certificate once
 * distributed (`pending`, `accepted`, `expired`: the partner can only encrypt to it after it
 * accepted it, draft §2.4); a partner certificate once `accepted`; a `scheduled` one when its
 * time has come or, for local encryption and partner signing with AS2/AS3 partners without CEM,
 * early. `emailed` certificates wait for "set as active".
 *
 * @example
 * ```ts
 * activatesOnUse(rel, { side: 'local', usage: 'encryption' }, successor, now)
 * ```
 * @throws never.
 */
export function activatesOnUse(rel: Relationship, address: SlotAddress, successor: Successor, now: Date): boolean {
  const localEncryption = address.side === 'local' && address.usage === 'encryption';
  const partnerSigning = address.side === 'partner' && address.usage === 'signing';
  switch (successor.status) {
    case 'pending':
    case 'expired':
      return localEncryption;
    case 'accepted':
      return true;
    case 'scheduled':
      return (successor.activateAt !== null && isDue(successor.activateAt, now)) || ((localEncryption || partnerSigning) && allowsEarlyFirstUsage(rel));
    case 'emailed':
    case 'rejected':
    case 'sendFailed':
      return false;
    default:
      return assertNever(successor.status);
  }
}

function decide(rel: Relationship, address: SlotAddress, slot: CertSlot, fingerprint: Fingerprint | undefined, now: Date): FirstUsage | null {
  if (typeof fingerprint !== 'string') return null;
  const successor = slot.successor;
  if (successor !== null && successor.cert.fingerprint === fingerprint) {
    if (!activatesOnUse(rel, address, successor, now)) return null;
    return freeze({ address, fingerprint, action: 'activateSuccessor' as const, scheduled: successor.status === 'scheduled' });
  }
  const index = slot.active.findIndex((a) => a.cert.fingerprint === fingerprint);
  if (index < 0 || index === slot.active.length - 1) return null;
  return freeze({ address, fingerprint, action: 'retireOlder' as const, scheduled: false });
}

/**
 * What one observation changes: at most one first usage per slot (our encryption, the partner's
 * signing, TLS server and TLS client certificates). Empty for ordinary traffic, so the hot path
 * changes nothing.
 *
 * @example
 * ```ts
 * firstUsages(rel, { verifiedWith: newPartnerSigning }, now)
 * // [{ address: { side: 'partner', usage: 'signing' }, action: 'activateSuccessor', ... }]
 * ```
 * @throws never.
 */
export function firstUsages(rel: Relationship, observation: TrafficObservation, now: Date): readonly FirstUsage[] {
  const found = [
    decide(rel, { side: 'local', usage: 'encryption' }, rel.local.encryption, observation.decryptedWith, now),
    decide(rel, { side: 'partner', usage: 'signing' }, rel.partner.signing, observation.verifiedWith, now),
    decide(rel, { side: 'partner', usage: 'tlsServer' }, rel.partner.tlsServer, observation.partnerTlsServer, now),
    decide(rel, { side: 'partner', usage: 'tlsClient' }, rel.partner.tlsClient, observation.partnerTlsClient, now),
  ];
  return freeze(found.filter((f): f is FirstUsage => f !== null));
}
