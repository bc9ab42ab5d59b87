/**
 * Which aggregates an event touches: the {@link Scope} its slice is loaded with.
 *
 * @module
 */
import type { CemEvent } from '../state/events.js';
import { SERVER_PROTOCOLS } from '../state/listener/servers.js';
import type { PartnerProtocol, ServerProtocol } from '../state/model.js';
import { defaultListener } from '../state/relationship/relationships.js';
import type { Scope } from './slice.js';

/** The default listener of a protocol, `null` for one that is not a protocol (the transition refuses it). */
function listenerOf(protocol: unknown): ServerProtocol | null {
  try {
    return defaultListener(protocol as PartnerProtocol);
  } catch {
    return null;
  }
}

/**
 * The scope of one host-made event (a tick's scope comes from the due index instead).
 *
 * | event | loads |
 * |---|---|
 * | `settingsChanged` | the settings |
 * | `relationshipAdded` | the new id and whatever holds its AS2 names |
 * | `requestReceived`, `responseReceived` | the relationship of the AS2 names (name index) |
 * | exchange events (`retry`, `decide`, delivery reports, ...) | the exchange's relationship (exchange index) |
 * | server events | the listener and every relationship on it |
 * | any other | the named relationship (with the listener its event moves it to) |
 *
 * A relationship's listener is loaded with it, except for the events that never read or change
 * the server certificate (a partner's Request and our decisions on it, EDIINT-Features, traffic).
 * The listener's other partners are not read: its aggregate counts them (its tally), so an
 * operation on one partner costs the same during a rollover whatever the number of partners.
 *
 * @example
 * ```ts
 * scopeOf({ type: 'retry', exchangeId: 'req-1' }) // { kind: 'exchange', id: 'req-1' }
 * ```
 * @throws never.
 */
export function scopeOf(event: CemEvent): Scope {
  switch (event.type) {
    case 'settingsChanged':
      return { kind: 'settings' };
    case 'relationshipAdded': {
      const r = event.relationship;
      // The listener it will have: the given one, or its protocol's default (as the transition does).
      const listener = r?.listener === undefined ? listenerOf(r?.protocol) : r.listener;
      return { kind: 'add', id: String(r?.id), as2From: String(r?.partnerName), as2To: String(r?.localName), listener: SERVER_PROTOCOLS.includes(listener as ServerProtocol) ? listener : null };
    }
    case 'relationshipUpdated':
      return { kind: 'relationship', id: event.relationshipId, listeners: [event.changes?.listener ?? null] };
    case 'featuresObserved':
    case 'trafficObserved':
      return { kind: 'relationship', id: event.relationshipId, listener: false };
    case 'resend':
    case 'requestDelivered':
    case 'requestFailed':
      return { kind: 'exchange', id: event.requestId };
    case 'emailDelivered':
    case 'emailFailed':
    case 'retry':
      return { kind: 'exchange', id: event.exchangeId };
    case 'decide':
    case 'responseDelivered':
    case 'responseFailed':
      // A partner's Request concerns the partner's certificates only, never our listener's.
      return { kind: 'exchange', id: event.exchangeKey, listener: false };
    case 'requestReceived':
      return { kind: 'names', as2From: event.as2From, as2To: event.as2To, listener: false };
    case 'responseReceived':
      return { kind: 'names', as2From: event.as2From, as2To: event.as2To };
    case 'setServerActive':
    case 'withdrawServerCandidate':
    case 'serverCertificateConfigured':
    case 'serverCertificateInstalled':
      return { kind: 'listener', protocol: event.protocol };
    case 'relationshipRemoved':
    case 'sendCertificates':
    case 'schedule':
    case 'cancelSchedule':
    case 'setActive':
      return { kind: 'relationship', id: event.relationshipId };
    default:
      return { kind: 'settings' };
  }
}
