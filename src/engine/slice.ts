/**
 * Loading the slice of state one operation needs: the aggregates its event names (found through
 * the name and exchange indexes) and the listener of each, whose tally stands for its other
 * partners; every relationship on a listener only for the listener's own events and ticks.
 * Nothing else is read.
 *
 * @module
 */
import { CemEngineError } from '../errors.js';
import type { CemStore, StoredRecord } from '../ports/store.js';
import { mergeSettings } from '../state/settings.js';
import { createInitialState } from '../state/transition.js';
import type { CemSettings, ServerProtocol } from '../state/model.js';
import { isRecord } from '../state/validate.js';
import { addMark, memberMark, type ListenerTally } from '../state/indexes/listener-tally.js';
import { SERVER_PROTOCOLS } from '../state/listener/servers.js';
import { composeState, type ListenerAggregate, type Loaded, type RelationshipAggregate, type Slice } from './aggregates.js';
import { storeCall, type EngineContext } from './context.js';
import { keys, LAYOUT_KEY, LAYOUT_VERSION, SETTINGS_KEY } from './keys.js';
import { pages } from './pages.js';

/** What an operation touches. */
export type Scope =
  /**
   * One relationship with its listener (and `listeners`); `listener: false`: without its listener
   * (an event that never reads or changes the server certificate).
   */
  | { readonly kind: 'relationship'; readonly id: string; readonly listeners?: readonly (ServerProtocol | null)[]; readonly listener?: false }
  /** The relationship of inbound messages from `as2From` to `as2To`. */
  | { readonly kind: 'names'; readonly as2From: string; readonly as2To: string; readonly listener?: false }
  /** The relationship of an outbound exchange (requestId) or inbound exchange (key). */
  | { readonly kind: 'exchange'; readonly id: string; readonly listener?: false }
  /** A new relationship: its id, and whatever already holds its AS2 names. */
  | { readonly kind: 'add'; readonly id: string; readonly as2From: string; readonly as2To: string; readonly listener: ServerProtocol | null }
  /** A listener with every relationship on it. */
  | { readonly kind: 'listener'; readonly protocol: ServerProtocol }
  /** An aggregate by its key (a due index entry). */
  | { readonly kind: 'aggregate'; readonly key: string }
  /** Only the settings. */
  | { readonly kind: 'settings' };

/** Reads one record through `storeCall`. */
function get(store: CemStore, key: string): Promise<StoredRecord | undefined> {
  return storeCall(() => store.get(key));
}

/** The relationship id an index record points to, or `null`. */
function pointer(record: StoredRecord | undefined): string | null {
  const id = isRecord(record?.value) ? record.value['relationshipId'] : undefined;
  return typeof id === 'string' ? id : null;
}

/**
 * The settings in force: the stored record over the configured defaults.
 *
 * @example
 * ```ts
 * const { settings, version } = await loadSettings(ctx)
 * ```
 * @throws CemEngineError `CEM_PORT_FAILED` when the store fails.
 */
export async function loadSettings(ctx: EngineContext): Promise<{ settings: CemSettings; version: number | null }> {
  const base = createInitialState(ctx.settings).settings;
  const stored = await get(ctx.ports.store, SETTINGS_KEY);
  // Stored over the defaults: a settings record written before a setting existed gets its default.
  if (stored === undefined) return { settings: base, version: null };
  return { settings: mergeSettings(base, stored.value as unknown as Partial<CemSettings>), version: stored.version };
}

/**
 * Checks the stored layout version once per engine, writing it into an empty store.
 *
 * @example
 * ```ts
 * await ensureLayout(ctx)
 * ```
 * @throws CemEngineError `CEM_STORE_LAYOUT` for a store of another layout (0.1.0's included);
 *   `CEM_PORT_FAILED` when the store fails.
 */
export async function ensureLayout(ctx: EngineContext): Promise<void> {
  if (ctx.layoutChecked()) return;
  const { store } = ctx.ports;
  for (let attempt = 0; attempt < 3; attempt++) {
    const record = await get(store, LAYOUT_KEY);
    if (record !== undefined) {
      const value = record.value;
      const version = isRecord(value) && value['format'] === 'ediint-cem' ? value['version'] : undefined;
      if (version !== LAYOUT_VERSION) {
        throw new CemEngineError('CEM_STORE_LAYOUT', `the store holds layout ${JSON.stringify(version ?? null)}; this engine reads layout ${LAYOUT_VERSION}`);
      }
      ctx.markLayoutChecked();
      return;
    }
    if ((await get(store, 'head')) !== undefined) {
      throw new CemEngineError('CEM_STORE_LAYOUT', 'the store holds the unversioned layout of ediint-cem 0.1.0; this engine reads layout 2');
    }
    try {
      await storeCall(() => store.commit([{ key: LAYOUT_KEY, expectedVersion: null, value: { format: 'ediint-cem', version: LAYOUT_VERSION } }]));
    } catch {
      continue; // another engine wrote it first (or the store failed): read it again
    }
  }
  if (!ctx.layoutChecked()) throw new CemEngineError('CEM_PORT_FAILED', 'the store layout record could not be read or written');
}

async function relationshipIds(ctx: EngineContext, scope: Scope): Promise<string[]> {
  const { store } = ctx.ports;
  switch (scope.kind) {
    case 'relationship':
      return [scope.id];
    case 'names': {
      const id = pointer(await get(store, keys.name(scope.as2From, scope.as2To)));
      return id === null ? [] : [id];
    }
    case 'exchange': {
      const id = pointer(await get(store, keys.outbound(scope.id))) ?? pointer(await get(store, keys.inbound(scope.id)));
      return id === null ? [] : [id];
    }
    case 'add': {
      const holder = pointer(await get(store, keys.name(scope.as2From, scope.as2To)));
      return holder === null || holder === scope.id ? [scope.id] : [scope.id, holder];
    }
    default:
      return [];
  }
}

/** Every relationship id on a listener, from its member index (paged). */
async function memberIds(store: CemStore, protocol: ServerProtocol): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of pages(store, keys.memberPrefix(protocol))) {
    for (const r of page) {
      const id = pointer(r);
      if (id !== null) ids.push(id);
    }
  }
  return ids;
}

function loaded<T>(record: StoredRecord | undefined): Loaded<T> | undefined {
  return record === undefined ? undefined : { key: record.key, version: record.version, value: record.value as unknown as T };
}

/** The listener of a listener aggregate's key, or `null`. */
function listenerOfKey(key: string): ServerProtocol | null {
  const protocol = SERVER_PROTOCOLS.find((p) => keys.listener(p) === key);
  return protocol ?? null;
}

/**
 * The partners on a listener that a slice does not hold: the stored tally less the stored marks
 * of the loaded members. `null` when the tally does not hold them (read while a member changed):
 * the caller then reads every member.
 */
function othersOfSlice(tally: ListenerTally, protocol: ServerProtocol, rels: ReadonlyMap<string, Loaded<RelationshipAggregate>>): ListenerTally | null {
  let others: ListenerTally | null = tally;
  for (const rec of rels.values()) {
    const agg = rec.value;
    if (agg.relationship.listener !== protocol) continue;
    others = addMark(others, memberMark(agg.relationship, agg.outbound), -1);
    if (others === null) return null;
  }
  return others;
}

/**
 * Loads the slice an operation touches, with the settings in force. A listener's partners are
 * all read only for the listener's own events and ticks (and once, to count them, when its
 * aggregate has no tally yet); otherwise the partners not in the slice are its tally less the
 * loaded ones (`state.listenerOthers`).
 *
 * @example
 * ```ts
 * const slice = await loadSlice(ctx, { kind: 'relationship', id: 'acme' })
 * ```
 * @throws CemEngineError `CEM_PORT_FAILED` when the store fails.
 */
export async function loadSlice(ctx: EngineContext, scope: Scope): Promise<Slice> {
  const { store } = ctx.ports;
  const { settings, version: settingsVersion } = await loadSettings(ctx);
  const rels = new Map<string, Loaded<RelationshipAggregate>>();
  const addRelationship = (record: Loaded<RelationshipAggregate> | undefined): void => {
    if (record !== undefined && isRecord(record.value) && isRecord(record.value.relationship)) rels.set(record.value.relationship.id, record);
  };
  const protocols = new Set<ServerProtocol>();
  const full = new Set<ServerProtocol>();
  if (scope.kind === 'aggregate') {
    const protocol = listenerOfKey(scope.key);
    if (protocol !== null) {
      protocols.add(protocol);
      full.add(protocol);
    } else {
      addRelationship(loaded<RelationshipAggregate>(await get(store, scope.key)));
    }
  } else if (scope.kind === 'listener') {
    protocols.add(scope.protocol);
    full.add(scope.protocol);
  } else {
    for (const id of await relationshipIds(ctx, scope)) addRelationship(loaded<RelationshipAggregate>(await get(store, keys.relationship(id))));
  }
  const withoutListener = (scope.kind === 'relationship' || scope.kind === 'exchange' || scope.kind === 'names') && scope.listener === false;
  for (const rec of withoutListener ? [] : rels.values()) {
    const listener = rec.value.relationship.listener;
    if (listener !== null) protocols.add(listener);
  }
  if (scope.kind === 'relationship') for (const p of scope.listeners ?? []) if (p !== null) protocols.add(p);
  if (scope.kind === 'add' && scope.listener !== null) protocols.add(scope.listener);
  const listeners = new Map<ServerProtocol, Loaded<ListenerAggregate> | null>();
  for (const protocol of protocols) {
    const record = loaded<ListenerAggregate>(await get(store, keys.listener(protocol)));
    listeners.set(protocol, record ?? null);
    // Not counted yet (no aggregate, or one without a tally): read its partners once.
    if (record?.value.tally === undefined) full.add(protocol);
  }
  const loadMembers = async (protocol: ServerProtocol): Promise<void> => {
    for (const id of await memberIds(store, protocol)) {
      if (!rels.has(id)) addRelationship(loaded<RelationshipAggregate>(await get(store, keys.relationship(id))));
    }
  };
  for (const protocol of full) await loadMembers(protocol);
  const others: Partial<Record<ServerProtocol, ListenerTally>> = {};
  for (const [protocol, record] of listeners) {
    const tally = record?.value.tally;
    if (full.has(protocol) || tally === undefined) continue;
    const rest = othersOfSlice(tally, protocol, rels);
    if (rest === null) {
      full.add(protocol);
      await loadMembers(protocol);
    } else if (Object.keys(rest).length > 0) {
      others[protocol] = rest;
    }
  }
  const state = composeState(
    settings,
    [...rels.values()].map((r) => r.value),
    [...listeners.values()].filter((l): l is Loaded<ListenerAggregate> => l !== null).map((l) => l.value),
    true,
    others,
  );
  return { state, settingsVersion, relationships: rels, listeners };
}
