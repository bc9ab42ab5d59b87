/**
 * Safe lookups in the state's records (own properties only: ids are host-chosen strings, and a
 * `constructor` or `__proto__` id must never reach `Object.prototype`), and replacements.
 *
 * @module
 */
import { freeze } from './freeze.js';
import type { CemState, Fingerprint, InboundExchange, OutboundExchange, Relationship, ServerProtocol, ServerSlot } from './model.js';

/**
 * The own value of a record, or `undefined`.
 *
 * @example
 * ```ts
 * own(state.relationships, 'constructor') // undefined
 * ```
 * @throws never.
 */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * A relationship by id.
 *
 * @example
 * ```ts
 * getRelationship(state, 'acme')?.partnerName
 * ```
 * @throws never.
 */
export function getRelationship(state: CemState, id: unknown): Relationship | undefined {
  return typeof id === 'string' ? own(state.relationships, id) : undefined;
}

/**
 * The relationship of an inbound AS2 message: partner name = AS2-From, our name = AS2-To
 * (AS2 names are case-sensitive, RFC 4130 §6.2).
 *
 * @example
 * ```ts
 * findByNames(state, 'PARTNER', 'US')
 * ```
 * @throws never.
 */
export function findByNames(state: CemState, as2From: string, as2To: string): Relationship | undefined {
  for (const rel of Object.values(state.relationships)) {
    if (rel.partnerName === as2From && rel.localName === as2To) return rel;
  }
  return undefined;
}

/**
 * The partner signing certificates we currently accept (fingerprints): the active ones and the
 * accepted successor (draft §2.4: the Request is signed with the currently accepted certificate).
 *
 * @example
 * ```ts
 * partnerSigners(rel) // ['ab12…', 'cd34…'] during an overlap
 * ```
 * @throws never.
 */
export function partnerSigners(rel: Relationship): Fingerprint[] {
  const slot = rel.partner.signing;
  const out = slot.active.map((a) => a.cert.fingerprint);
  if (slot.successor !== null && slot.successor.status === 'accepted') out.push(slot.successor.cert.fingerprint);
  return out;
}

/**
 * True when `fingerprint` is a partner signing certificate we currently accept ({@link partnerSigners}).
 *
 * @example
 * ```ts
 * acceptsPartnerSigner(rel, event.verifiedBy)
 * ```
 * @throws never.
 */
export function acceptsPartnerSigner(rel: Relationship, fingerprint: Fingerprint | null): boolean {
  return typeof fingerprint === 'string' && partnerSigners(rel).includes(fingerprint);
}

/**
 * An outbound exchange by request id.
 *
 * @example
 * ```ts
 * getOutbound(state, 'r1')?.status
 * ```
 * @throws never.
 */
export function getOutbound(state: CemState, id: unknown): OutboundExchange | undefined {
  return typeof id === 'string' ? own(state.outbound, id) : undefined;
}

/**
 * An inbound exchange by key.
 *
 * @example
 * ```ts
 * getInbound(state, 'acme/r1')?.status
 * ```
 * @throws never.
 */
export function getInbound(state: CemState, key: unknown): InboundExchange | undefined {
  return typeof key === 'string' ? own(state.inbound, key) : undefined;
}

/**
 * The state with an outbound exchange replaced or added.
 *
 * @example
 * ```ts
 * putOutbound(state, { ...ex, status: 'pending' })
 * ```
 * @throws never.
 */
export function putOutbound(state: CemState, exchange: OutboundExchange): CemState {
  if (own(state.outbound, exchange.id) === exchange) return state;
  return freeze({ ...state, outbound: freeze({ ...state.outbound, [exchange.id]: freeze(exchange) }) });
}

/**
 * The state with an inbound exchange replaced or added.
 *
 * @example
 * ```ts
 * putInbound(state, { ...ex, status: 'answered' })
 * ```
 * @throws never.
 */
export function putInbound(state: CemState, exchange: InboundExchange): CemState {
  if (own(state.inbound, exchange.key) === exchange) return state;
  return freeze({ ...state, inbound: freeze({ ...state.inbound, [exchange.key]: freeze(exchange) }) });
}

/**
 * The server slot of a listener protocol (an empty one when none is stored).
 *
 * @example
 * ```ts
 * getServer(state, 'HTTP').installed?.cert.fingerprint
 * ```
 * @throws never.
 */
export function getServer(state: CemState, protocol: ServerProtocol): ServerSlot {
  const slot = Object.hasOwn(state.servers, protocol) ? state.servers[protocol] : undefined;
  return slot ?? freeze({ protocol, installed: null, candidate: null, archive: freeze([]) });
}

/**
 * The state with a server slot replaced.
 *
 * @example
 * ```ts
 * putServer(state, { ...slot, candidate: null })
 * ```
 * @throws never.
 */
export function putServer(state: CemState, slot: ServerSlot): CemState {
  if (state.servers[slot.protocol] === slot) return state;
  return freeze({ ...state, servers: freeze({ ...state.servers, [slot.protocol]: freeze(slot) }) });
}
