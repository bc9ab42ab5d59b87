/**
 * `trafficObserved`: first usage of new certificates (decisions 6, 8 and 9 of docs/lifecycle.md).
 *
 * @module
 */
import { activatedAlert } from '../../policy/alerts.js';
import { firstUsages, type TrafficObservation } from '../../policy/first-usage.js';
import { normalizeFingerprint } from './cert-ref.js';
import type { CemEffect } from '../effects.js';
import type { CemEvent } from '../events.js';
import { getRelationship } from '../lookup.js';
import type { CemState } from '../model.js';
import { changeSlot, putRelationship, slotAt } from './relationship-slots.js';
import { done, ignored, notify, type TransitionResult } from '../result.js';
import { closeIfSettled } from './settle.js';
import { activateSuccessor, retireOlderThan } from './slots.js';

function observation(event: Extract<CemEvent, { type: 'trafficObserved' }>): TrafficObservation | null {
  const read = (value: unknown): string | undefined | null => (value === undefined ? undefined : typeof value === 'string' ? normalizeFingerprint(value) : null);
  const decryptedWith = read(event.decryptedWith);
  const verifiedWith = read(event.verifiedWith);
  const partnerTlsServer = read(event.partnerTlsServer);
  const partnerTlsClient = read(event.partnerTlsClient);
  if (decryptedWith === null || verifiedWith === null || partnerTlsServer === null || partnerTlsClient === null) return null;
  return { decryptedWith, verifiedWith, partnerTlsServer, partnerTlsClient };
}

/**
 * Handles `trafficObserved` (the hot path: ordinary traffic returns the same state and no
 * effects). A message decrypted with our new encryption certificate makes it active and archives
 * the old one; a message verified with the partner's accepted new signing certificate, or a TLS
 * handshake presenting its accepted new TLS certificate, does the same on the partner side.
 * Scheduled certificates activate early this way where allowed (see `activatesOnUse`).
 *
 * @example
 * ```ts
 * onTrafficObserved(state, { type: 'trafficObserved', relationshipId: 'acme', verifiedWith: fp }, now)
 * ```
 * @throws never.
 */
export function onTrafficObserved(state: CemState, event: Extract<CemEvent, { type: 'trafficObserved' }>, now: Date): TransitionResult {
  const rel = getRelationship(state, event.relationshipId);
  if (rel === undefined) return ignored(state, 'unknownRelationship', `no relationship ${String(event.relationshipId)}`);
  const seen = observation(event);
  if (seen === null) return ignored(state, 'invalidEvent', 'fingerprints must be strings');
  const uses = firstUsages(rel, seen, now);
  if (uses.length === 0) return done(state);
  let current = rel;
  const effects: CemEffect[] = [];
  const exchanges: (string | null)[] = [];
  for (const use of uses) {
    const successor = slotAt(current, use.address).successor;
    const change = changeSlot(current, use.address, (slot) =>
      use.action === 'activateSuccessor' ? activateSuccessor(slot, now, 'firstUsage', 'firstUsage') : retireOlderThan(slot, use.fingerprint, now));
    current = change.rel;
    effects.push(...change.effects);
    if (use.action === 'activateSuccessor' && successor !== null) {
      exchanges.push(successor.exchangeId);
      const kind = use.scheduled ? 'scheduledActivated' : 'certificateActivated';
      effects.push(notify(activatedAlert(kind, { relationshipId: rel.id, side: use.address.side, usage: use.address.usage }, successor.cert, 'firstUsage')));
    }
  }
  let next = putRelationship(state, current);
  for (const id of exchanges) next = closeIfSettled(next, id);
  return done(next, effects);
}
