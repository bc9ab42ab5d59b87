/**
 * The administrator's "set as active" (decision 10 of docs/lifecycle.md).
 *
 * @module
 */
import { activatedAlert } from '../../policy/alerts.js';
import type { CemEffect } from '../effects.js';
import type { CemEvent } from '../events.js';
import { freeze } from '../freeze.js';
import { acceptPartnerCertificate, storeAndComplete } from '../exchange/inbound-accept.js';
import { getInbound, getRelationship } from '../lookup.js';
import type { CemState, Relationship } from '../model.js';
import { changeSlot, putRelationship, slotAt, type SlotAddress } from './relationship-slots.js';
import { done, ignored, notify, type TransitionResult } from '../result.js';
import { onServerEvent } from '../listener/servers.js';
import { closeIfSettled } from './settle.js';
import { activateOnly } from './slots.js';
import { LOCAL_USAGES, PARTNER_USAGES } from './usages.js';
import { isOneOf } from '../validate.js';

type SetActive = Extract<CemEvent, { type: 'setActive' }>;

/**
 * The slot a `setActive`, `schedule` or `cancelSchedule` event names, `server` for our listener's
 * certificate, or `null` when side and usage do not fit together.
 *
 * @example
 * ```ts
 * addressOf('partner', 'tlsServer') // { side: 'partner', usage: 'tlsServer' }
 * ```
 * @throws never.
 */
export function addressOf(side: unknown, usage: unknown): SlotAddress | 'server' | null {
  if (side === 'local') {
    if (usage === 'tlsServer') return 'server';
    return isOneOf(usage, LOCAL_USAGES) ? { side, usage } : null;
  }
  if (side === 'partner') return isOneOf(usage, PARTNER_USAGES) ? { side, usage } : null;
  return null;
}

/**
 * A partner successor still pending in a received Request: setting it active decides that
 * Request's item as accepted (all its usages, cumulative), so its Response goes out when the
 * Request is fully decided.
 */
function acceptPendingItem(state: CemState, rel: Relationship, address: SlotAddress, now: Date): { state: CemState; rel: Relationship; effects: CemEffect[] } {
  const successor = slotAt(rel, address).successor;
  if (address.side !== 'partner' || successor === null || successor.status !== 'pending' || successor.exchangeId === null) return { state, rel, effects: [] };
  const ex = getInbound(state, successor.exchangeId);
  if (ex === undefined || ex.status !== 'awaitingDecision') return { state, rel, effects: [] };
  let current = rel;
  const effects: CemEffect[] = [];
  const items = ex.items.map((item) => {
    if (item.cert.fingerprint !== successor.cert.fingerprint || item.decision !== 'pending') return item;
    const decided = freeze({ ...item, decision: 'accepted' as const, reason: null });
    const accepted = acceptPartnerCertificate(current, decided, ex.key, now);
    current = accepted.rel;
    effects.push(...accepted.effects);
    return decided;
  });
  const step = storeAndComplete(putRelationship(state, current), freeze({ ...ex, items: freeze(items) }), now);
  return { state: step.state, rel: current, effects: [...effects, ...step.effects] };
}

/**
 * Handles `setActive`: the slot's successor, whatever its status (also `rejected`: the
 * administrator overrides the partner's or our own earlier answer; a Response already sent is not
 * changed), becomes the only active certificate now; the old ones are archived (`manual`). A
 * partner certificate still pending in a received Request is accepted first (its Response goes
 * out); an outbound exchange with nothing left waiting is closed. For our TLS server certificate
 * (`side: 'local', usage: 'tlsServer'`) it installs the listener's candidate, like
 * `setServerActive`.
 *
 * @example
 * ```ts
 * onManualEvent(state, { type: 'setActive', relationshipId: 'acme', side: 'local', usage: 'signing' }, now)
 * ```
 * @throws never.
 */
export function onManualEvent(state: CemState, event: SetActive, now: Date): TransitionResult {
  const rel = getRelationship(state, event.relationshipId);
  if (rel === undefined) return ignored(state, 'unknownRelationship', `no relationship ${String(event.relationshipId)}`);
  const address = addressOf(event.side, event.usage);
  if (address === null) return ignored(state, 'invalidEvent', 'side and usage do not fit together');
  if (address === 'server') {
    if (rel.listener === null) return ignored(state, 'noListener', `${rel.id} has no listener`);
    return onServerEvent(state, { type: 'setServerActive', protocol: rel.listener }, now);
  }
  const successor = slotAt(rel, address).successor;
  if (successor === null) return ignored(state, 'invalidState', `the ${address.side} ${address.usage} slot of ${rel.id} has no successor`);
  const accepted = acceptPendingItem(state, rel, address, now);
  const change = changeSlot(accepted.rel, address, (slot) => activateOnly(slot, successor.cert, now, 'manual', 'manual'));
  const next = closeIfSettled(putRelationship(accepted.state, change.rel), successor.exchangeId);
  return done(next, [
    ...accepted.effects,
    ...change.effects,
    notify(activatedAlert('certificateActivated', { relationshipId: rel.id, side: address.side, usage: address.usage }, successor.cert, 'manual')),
  ]);
}
