/**
 * The stored aggregates and the slice of state an event works on.
 *
 * A relationship aggregate (`rel/<id>`) holds the relationship with its exchanges, its part of the
 * daily-alert log, the Message-IDs and Request digests it processed and the Content-IDs of its
 * Responses. A listener aggregate (`listener/<protocol>`) holds the server slot, its part of
 * the log and the tally of its partners, which stands for the partners a slice does not hold.
 * An operation loads the aggregates its event names into a {@link Slice}: a {@link CemState}
 * holding just them, which the pure `transition` works on unchanged.
 *
 * @module
 */
import type { CemSettings, CemState, InboundExchange, OutboundExchange, Relationship, ServerProtocol, ServerSlot } from '../state/model.js';
import { freezeState } from '../state/freeze.js';
import type { ListenerTally } from '../state/indexes/listener-tally.js';
import type { JsonValue } from '../ports/json.js';

/** A processed Message-ID or Request document, by digest: when it was seen. */
export interface SeenEntry {
  readonly at: string;
  /** For a Request document: the Message-ID of its first delivery (the exchange's key when it had no requestId). */
  readonly messageId?: string | null;
}

/** The XML Content-ID drawn for our Response to one exchange and ResponseURL. */
export interface ResponseEntry {
  readonly exchangeKey: string;
  readonly responseUrl: string | null;
  readonly xmlContentId: string;
  readonly at: string;
}

/** The result of a host operation applied under an idempotency key. */
export interface OperationEntry {
  readonly at: string;
  readonly result: JsonValue;
}

/** One relationship's aggregate, as stored under `rel/<id>`. */
export interface RelationshipAggregate {
  readonly relationship: Relationship;
  readonly outbound: Readonly<Record<string, OutboundExchange>>;
  readonly inbound: Readonly<Record<string, InboundExchange>>;
  readonly alertLog: Readonly<Record<string, string>>;
  /** Processed Message-IDs (`m:<digest>`) and Request documents (`d:<digest>`). */
  readonly seen: Readonly<Record<string, SeenEntry>>;
  /** By digest of exchange key and ResponseURL. */
  readonly responses: Readonly<Record<string, ResponseEntry>>;
  /** Results of host operations by the host's idempotency key (`operationId`), kept for the retention. */
  readonly operations?: Readonly<Record<string, OperationEntry>>;
  /** The aggregate's entry in the due index, `null` when nothing is due. */
  readonly due: string | null;
  /**
   * The version of its name index record (absent: 1). The record is rewritten only with the
   * aggregate, in the same commit, so the aggregate always knows it.
   */
  readonly nameVersion?: number;
}

/** One listener's aggregate, as stored under `listener/<protocol>`. */
export interface ListenerAggregate {
  /** The listener's server slot; `null` while it has none (stored for the tally of its partners). */
  readonly server: ServerSlot | null;
  readonly alertLog: Readonly<Record<string, string>>;
  readonly due: string | null;
  /**
   * Every partner on the listener, counted by mark ({@link ListenerTally}); rewritten in the same
   * commit as any partner whose mark changes. Absent: not counted yet (the next operation on the
   * listener reads all its partners once and stores it).
   */
  readonly tally?: ListenerTally;
}

/** A record as loaded, with its version. */
export interface Loaded<T> {
  readonly key: string;
  readonly version: number;
  readonly value: T;
}

/** The aggregates one operation loaded, and the state composed of them. */
export interface Slice {
  readonly state: CemState;
  /** Version of the settings record (`null`: none stored). */
  readonly settingsVersion: number | null;
  /** Relationship aggregates by relationship id. */
  readonly relationships: ReadonlyMap<string, Loaded<RelationshipAggregate>>;
  /** Listener aggregates by protocol (`null`: none stored yet). */
  readonly listeners: ReadonlyMap<ServerProtocol, Loaded<ListenerAggregate> | null>;
}

/**
 * Composes the state of a slice: its relationships, their exchanges, its listeners and the union
 * of their alert logs, over `settings`, with `others`: the partners on a listener the slice does
 * not hold, counted ({@link CemState.listenerOthers}). Deep-frozen unless `freeze` is false (a
 * read that hands nothing of the state out).
 *
 * @example
 * ```ts
 * const state = composeState(settings, [acmeAggregate], [httpListener])
 * ```
 * @throws never.
 */
export function composeState(
  settings: CemSettings,
  relationships: readonly RelationshipAggregate[],
  listeners: readonly ListenerAggregate[],
  freeze = true,
  others: Readonly<Partial<Record<ServerProtocol, ListenerTally>>> = {},
): CemState {
  const rels: Record<string, Relationship> = {};
  const outbound: Record<string, OutboundExchange> = {};
  const inbound: Record<string, InboundExchange> = {};
  const servers: Partial<Record<ServerProtocol, ServerSlot>> = {};
  const alertLog: Record<string, string> = {};
  for (const agg of relationships) {
    rels[agg.relationship.id] = agg.relationship;
    Object.assign(outbound, agg.outbound);
    Object.assign(inbound, agg.inbound);
    Object.assign(alertLog, agg.alertLog);
  }
  for (const agg of listeners) {
    if (agg.server !== null) servers[agg.server.protocol] = agg.server;
    Object.assign(alertLog, agg.alertLog);
  }
  const state: CemState = { settings, relationships: rels, outbound, inbound, servers, alertLog, ...(Object.keys(others).length > 0 ? { listenerOthers: others } : {}) };
  return freeze ? freezeState(state) : state;
}

/**
 * The exchanges of one relationship in `state`, reusing `previous` (and its records) when none of
 * them changed, so an unchanged aggregate is recognised by identity.
 *
 * @example
 * ```ts
 * const outbound = exchangesOf(next.outbound, 'acme', loaded.outbound)
 * ```
 * @throws never.
 */
export function exchangesOf<T extends { readonly relationshipId: string }>(
  all: Readonly<Record<string, T>>,
  ids: readonly string[],
  previous: Readonly<Record<string, T>>,
): Readonly<Record<string, T>> {
  const out: Record<string, T> = {};
  let same = true;
  for (const id of ids) {
    const ex = all[id] as T;
    out[id] = ex;
    if (previous[id] !== ex) same = false;
  }
  if (same && Object.keys(previous).length === ids.length) return previous;
  return out;
}
