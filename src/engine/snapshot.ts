/**
 * Loading the {@link CemState} aggregate from its records, and turning a changed aggregate back
 * into version-checked writes.
 *
 * Transitions share every unchanged object with their input, so a record changed exactly when
 * its object is no longer the loaded one (`!==`).
 *
 * @module
 */
import type { JsonValue } from '../ports/json.js';
import type { CemStore, StoredRecord, StoreWrite } from '../ports/store.js';
import { createInitialState } from '../state/transition.js';
import { freezeState } from '../state/freeze.js';
import { mergeSettings } from '../state/settings.js';
import type { CemSettings, CemState, InboundExchange, OutboundExchange, Relationship, ServerSlot } from '../state/model.js';
import { ALERTS_KEY, HEAD_KEY, keys, PREFIX, SETTINGS_KEY } from './keys.js';

/** The loaded state with the version of every record it came from. */
export interface Snapshot {
  readonly state: CemState;
  /** Version of `head` when it was read first (`null`: never written). */
  readonly head: number | null;
  /** Version of each loaded record by key. */
  readonly versions: ReadonlyMap<string, number>;
}

function index(records: readonly StoredRecord[], versions: Map<string, number>): Array<[string, unknown]> {
  return records.map((r) => {
    versions.set(r.key, r.version);
    return [r.key, r.value];
  });
}

/**
 * Reads `head` first, then every state record. A commit that changes `head` after this read
 * makes the writer's own commit conflict, so a mixed snapshot is never written back.
 *
 * @example
 * ```ts
 * const snap = await loadSnapshot(store, { autoAccept: true })
 * ```
 * @throws whatever the store throws.
 */
export async function loadSnapshot(store: CemStore, defaults: Partial<CemSettings>): Promise<Snapshot> {
  const head = await store.get(HEAD_KEY);
  const [settings, alerts, rels, outs, ins, servers] = await Promise.all([
    store.get(SETTINGS_KEY),
    store.get(ALERTS_KEY),
    store.list(PREFIX.relationship),
    store.list(PREFIX.outbound),
    store.list(PREFIX.inbound),
    store.list(PREFIX.server),
  ]);
  const versions = new Map<string, number>();
  const base = createInitialState(defaults);
  if (settings !== undefined) versions.set(settings.key, settings.version);
  if (alerts !== undefined) versions.set(alerts.key, alerts.version);
  const byId = <T>(records: readonly StoredRecord[], id: (value: T) => string): Record<string, T> =>
    Object.fromEntries(index(records, versions).map(([, value]) => [id(value as T), value as T]));
  const state: CemState = {
    // Stored over the defaults: a settings record written before a setting existed gets its default.
    settings: settings === undefined ? base.settings : mergeSettings(base.settings, settings.value as unknown as Partial<CemSettings>),
    alertLog: alerts === undefined ? base.alertLog : (alerts.value as unknown as Record<string, string>),
    relationships: byId<Relationship>(rels, (r) => r.id),
    outbound: byId<OutboundExchange>(outs, (x) => x.id),
    inbound: byId<InboundExchange>(ins, (x) => x.key),
    servers: byId<ServerSlot>(servers, (s) => s.protocol),
  };
  return { state: freezeState(state), head: head?.version ?? null, versions };
}

/** A value as plain JSON: `undefined` members dropped, so every store accepts it. */
function json(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

function write(snap: Snapshot, key: string, value: unknown): StoreWrite {
  return { key, expectedVersion: snap.versions.get(key) ?? null, value: value === null ? null : json(value) };
}

function diffRecords<T>(snap: Snapshot, before: Readonly<Record<string, T>>, after: Readonly<Record<string, T>>, key: (id: string) => string, out: StoreWrite[]): void {
  if (before === after) return;
  for (const [id, value] of Object.entries(after)) {
    if (!Object.hasOwn(before, id) || before[id] !== value) out.push(write(snap, key(id), value));
  }
  for (const id of Object.keys(before)) {
    if (!Object.hasOwn(after, id) && snap.versions.has(key(id))) out.push(write(snap, key(id), null));
  }
}

/**
 * The writes that turn the stored records of `snap` into `next`: changed records with their
 * read versions, new ones as creates, removed ones as deletes. Empty when nothing changed.
 *
 * @example
 * ```ts
 * const writes = diffState(snap, transition(snap.state, event, now).state)
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for an id that cannot form a store key.
 */
export function diffState(snap: Snapshot, next: CemState): StoreWrite[] {
  const before = snap.state;
  const out: StoreWrite[] = [];
  if (next === before) return out;
  if (next.settings !== before.settings) out.push(write(snap, SETTINGS_KEY, next.settings));
  if (next.alertLog !== before.alertLog) out.push(write(snap, ALERTS_KEY, next.alertLog));
  diffRecords(snap, before.relationships, next.relationships, keys.relationship, out);
  diffRecords(snap, before.outbound, next.outbound, keys.outbound, out);
  diffRecords(snap, before.inbound, next.inbound, keys.inbound, out);
  diffRecords(snap, before.servers as Readonly<Record<string, ServerSlot>>, next.servers as Readonly<Record<string, ServerSlot>>, keys.server, out);
  return out;
}

/**
 * The write that bumps `head`: every commit that changes state carries it, so concurrent writers
 * of the same snapshot conflict even when they touch different records.
 *
 * @example
 * ```ts
 * await store.commit([...writes, headWrite(snap)])
 * ```
 * @throws never.
 */
export function headWrite(snap: Snapshot): StoreWrite {
  return { key: HEAD_KEY, expectedVersion: snap.head, value: { format: 1 } };
}
