/**
 * Which aggregates an event touches: the {@link Scope} its slice is loaded with.
 *
 * @module
 */
import type { CemEvent } from '../state/events.js';
import type { Scope } from './slice.js';

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
 * | any other | the named relationship; with every relationship on its listener when the event concerns the server certificate or changes the listener |
 *
 * A relationship's listener is loaded with it, and so are all the listener's members while it has
 * a candidate server certificate, except for the events that never read or change the server
 * certificate (a partner's Request and our decisions on it, EDIINT-Features, traffic): during a
 * listener's rollover those stay O(1).
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
      return { kind: 'add', id: String(r?.id), as2From: String(r?.partnerName), as2To: String(r?.localName), listener: r?.listener ?? null };
    }
    case 'relationshipUpdated':
      return { kind: 'relationship', id: event.relationshipId, server: event.changes?.listener !== undefined, listeners: [event.changes?.listener ?? null] };
    case 'relationshipRemoved':
      return { kind: 'relationship', id: event.relationshipId, server: true };
    case 'featuresObserved':
    case 'trafficObserved':
      return { kind: 'relationship', id: event.relationshipId, listener: false };
    case 'sendCertificates':
      return { kind: 'relationship', id: event.relationshipId, server: event.selection?.tlsServer !== undefined };
    case 'schedule':
    case 'cancelSchedule':
    case 'setActive':
      return { kind: 'relationship', id: event.relationshipId, server: event.usage === 'tlsServer' };
    case 'resend':
    case 'requestDelivered':
    case 'requestFailed':
      return { kind: 'exchange', id: event.requestId, server: event.type === 'resend' };
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
    default:
      return { kind: 'settings' };
  }
}
