/**
 * Turning a changed slice back into version-checked writes: each changed aggregate, and in the
 * same commit every index that follows it (AS2 names, listener members, exchanges, the due
 * entry). Transitions share every unchanged object with their input, so an aggregate changed
 * exactly when one of its parts is no longer the loaded one (`!==`).
 *
 * @module
 */
import type { JsonValue } from '../ports/json.js';
import type { StoreWrite } from '../ports/store.js';
import { retentionDays } from '../policy/retention.js';
import { alertOwner } from '../state/indexes/alert-owner.js';
import { listenerDue, relationshipDue } from '../state/indexes/due.js';
import { memberMark, othersOf, sameTally, tallyOf } from '../state/indexes/listener-tally.js';
import { nameEntry, sameNameEntry } from '../state/indexes/name-entry.js';
import type { CemState, Relationship, ServerProtocol } from '../state/model.js';
import { exchangesOf, type ListenerAggregate, type OperationEntry, type RelationshipAggregate, type ResponseEntry, type SeenEntry, type Slice } from './aggregates.js';
import { keys, SETTINGS_KEY } from './keys.js';

const DAY_MS = 86_400_000;

/** What an operation adds to its aggregates besides the transition's state. */
export interface AggregateExtras {
  /** Seen entries to add to one relationship (a processed message), kept when that relationship changes. */
  readonly remember?: { readonly relationshipId: string; readonly seen: Readonly<Record<string, SeenEntry>> };
  /** A host operation's result under its idempotency key, kept when that relationship changes. */
  readonly operation?: { readonly relationshipId: string; readonly id: string; readonly entry: OperationEntry };
  /** New Response Content-IDs, by relationship. */
  readonly responses?: ReadonlyMap<string, Readonly<Record<string, ResponseEntry>>>;
  /** A tick: drop seen and response entries whose retention passed. */
  readonly prune?: boolean;
  /** Recompute every loaded aggregate's due entry and rewrite those that moved (after a settings change). */
  readonly refile?: boolean;
}

/** A value as plain JSON: `undefined` members dropped, so every store accepts it. */
function json(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

const create = (key: string, value: unknown): StoreWrite => ({ key, expectedVersion: null, value: json(value) });
/** Index records are written once, so they are deleted at version 1. */
const dropIndex = (key: string): StoreWrite => ({ key, expectedVersion: 1, value: null });

function sameLog(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
}

/** The alert log of the slice split by owner (`rel:<id>` / `lis:<protocol>`). */
function splitLog(slice: Slice, next: CemState): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  const before = new Map<string, string>();
  for (const [id, r] of slice.relationships) for (const s of Object.keys(r.value.alertLog)) before.set(s, `rel:${id}`);
  for (const [p, l] of slice.listeners) for (const s of Object.keys(l?.value.alertLog ?? {})) before.set(s, `lis:${p}`);
  for (const [subject, day] of Object.entries(next.alertLog)) {
    const owner = alertOwner(next, subject);
    const key = owner === null ? before.get(subject) : owner.kind === 'relationship' ? `rel:${owner.id}` : `lis:${owner.protocol}`;
    if (key === undefined) continue;
    let log = out.get(key);
    if (log === undefined) out.set(key, (log = {}));
    log[subject] = day;
  }
  return out;
}

/** The earliest retention end of seen and response entries (ms), or `null`. */
function extrasDue(agg: Pick<RelationshipAggregate, 'seen' | 'responses' | 'operations'>, days: number): number | null {
  let at = Number.POSITIVE_INFINITY;
  for (const e of [...Object.values(agg.seen), ...Object.values(agg.responses), ...Object.values(agg.operations ?? {})]) {
    const t = Date.parse(e.at) + days * DAY_MS;
    if (Number.isFinite(t) && t < at) at = t;
  }
  return Number.isFinite(at) ? at : null;
}

function prune<T extends { readonly at: string }>(entries: Readonly<Record<string, T>>, keep: (e: T) => boolean): Readonly<Record<string, T>> {
  const kept = Object.entries(entries).filter(([, e]) => keep(e));
  return kept.length === Object.keys(entries).length ? entries : Object.fromEntries(kept);
}

function earliest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

function moveDue(out: StoreWrite[], before: string | null, after: string | null): void {
  if (before === after) return;
  if (before !== null) out.push(dropIndex(before));
  if (after !== null) out.push(create(after, {}));
}

/**
 * The name and listener-member index writes between two versions of a relationship. The name
 * record carries the relationship's {@link nameEntry} and is rewritten (at `nameVersion`) when
 * that changes; returns the name record's version after the writes.
 */
function indexWrites(out: StoreWrite[], before: Relationship | undefined, nameVersion: number, after: Relationship | undefined): number {
  const nameOf = (r: Relationship | undefined): string | null => (r === undefined ? null : keys.name(r.partnerName, r.localName));
  const b = nameOf(before);
  const a = nameOf(after);
  let version = nameVersion;
  if (b !== a) {
    if (b !== null) out.push({ key: b, expectedVersion: nameVersion, value: null });
    if (a !== null && after !== undefined) (out.push(create(a, nameEntry(after))), (version = 1));
  } else if (a !== null && before !== undefined && after !== undefined && before !== after && !sameNameEntry(nameEntry(before), nameEntry(after))) {
    out.push({ key: a, expectedVersion: nameVersion, value: json(nameEntry(after)) });
    version = nameVersion + 1;
  }
  const memberOf = (r: Relationship | undefined): string | null => (r?.listener == null ? null : keys.member(r.listener, r.id));
  const mb = memberOf(before);
  const ma = memberOf(after);
  if (mb !== ma) {
    if (mb !== null) out.push(dropIndex(mb));
    if (ma !== null && after !== undefined) out.push(create(ma, { relationshipId: after.id }));
  }
  return version;
}

function exchangeIndexWrites(out: StoreWrite[], id: string, before: RelationshipAggregate | undefined, after: Pick<RelationshipAggregate, 'outbound' | 'inbound'> | undefined): void {
  for (const [field, key] of [['outbound', keys.outbound], ['inbound', keys.inbound]] as const) {
    const b = before?.[field] ?? {};
    const a = after?.[field] ?? {};
    if (a === b) continue;
    for (const x of Object.keys(a)) if (!Object.hasOwn(b, x)) out.push(create(key(x), { relationshipId: id }));
    for (const x of Object.keys(b)) if (!Object.hasOwn(a, x)) out.push(dropIndex(key(x)));
  }
}

/**
 * The writes that store `next` over the slice it was computed from; empty when nothing changed.
 * Listeners whose members' server readiness or membership changed are rewritten (their tally
 * with them) even when their own record did not change, so two nodes deciding one listener's
 * consensus conflict.
 *
 * @example
 * ```ts
 * const writes = sliceWrites(slice, transition(slice.state, event, now).state, now, {})
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for an id that cannot form a store key.
 */
export function sliceWrites(slice: Slice, next: CemState, now: Date, extras: AggregateExtras): StoreWrite[] {
  const out: StoreWrite[] = [];
  if (next === slice.state && extras.prune !== true && extras.refile !== true && extras.responses === undefined) return out;
  if (next.settings !== slice.state.settings) {
    out.push({ key: SETTINGS_KEY, expectedVersion: slice.settingsVersion, value: json(next.settings) });
    // Due instants depend on the settings (retention, warning days, the alert day): a sweep
    // re-files every aggregate at the next tick.
    out.push(create(keys.due(now.getTime(), `sweep/${now.getTime()}`), {}));
  }
  const logs = splitLog(slice, next);
  const days = retentionDays(next.settings);
  const byRel = new Map<string, { out: string[]; in: string[] }>();
  const group = (id: string): { out: string[]; in: string[] } => {
    let g = byRel.get(id);
    if (g === undefined) byRel.set(id, (g = { out: [], in: [] }));
    return g;
  };
  for (const [id, ex] of Object.entries(next.outbound)) group(ex.relationshipId).out.push(id);
  for (const [key, ex] of Object.entries(next.inbound)) group(ex.relationshipId).in.push(key);
  const touched = new Set<ServerProtocol>();
  const ids = new Set([...slice.relationships.keys(), ...Object.keys(next.relationships)]);
  for (const id of ids) {
    const before = slice.relationships.get(id);
    const rel = Object.hasOwn(next.relationships, id) ? next.relationships[id] : undefined;
    const old = before?.value;
    if (rel === undefined) {
      if (before === undefined || old === undefined) continue;
      out.push({ key: before.key, expectedVersion: before.version, value: null });
      indexWrites(out, old.relationship, old.nameVersion ?? 1, undefined);
      exchangeIndexWrites(out, id, old, undefined);
      moveDue(out, old.due, null);
      if (old.relationship.listener !== null) touched.add(old.relationship.listener);
      continue;
    }
    const g = byRel.get(id) ?? { out: [], in: [] };
    const outbound = exchangesOf(next.outbound, g.out, old?.outbound ?? {});
    const inbound = exchangesOf(next.inbound, g.in, old?.inbound ?? {});
    const alertLog = logs.get(`rel:${id}`) ?? {};
    const logSame = old !== undefined && sameLog(alertLog, old.alertLog);
    const stateChanged = old === undefined || rel !== old.relationship || outbound !== old.outbound || inbound !== old.inbound || !logSame;
    let seen = old?.seen ?? {};
    if (extras.remember?.relationshipId === id && stateChanged) seen = { ...seen, ...extras.remember.seen };
    let responses = old?.responses ?? {};
    const added = extras.responses?.get(id);
    if (added !== undefined) responses = { ...responses, ...added };
    let operations = old?.operations ?? {};
    if (extras.operation?.relationshipId === id && stateChanged) operations = { ...operations, [extras.operation.id]: extras.operation.entry };
    if (extras.prune === true) {
      const fresh = (e: { readonly at: string }): boolean => !(now.getTime() - Date.parse(e.at) >= days * DAY_MS);
      seen = prune(seen, fresh);
      responses = prune(responses, (e) => fresh(e) || Object.hasOwn(next.inbound, e.exchangeKey));
      operations = prune(operations, fresh);
    }
    const extrasSame = old !== undefined && seen === old.seen && responses === old.responses && operations === (old.operations ?? {});
    if (!stateChanged && extrasSame && extras.refile !== true) continue;
    const key = keys.relationship(id);
    const parts = { relationship: rel, outbound, inbound, alertLog: logSame && old !== undefined ? old.alertLog : alertLog, seen, responses, operations };
    const dueMs = earliest(relationshipDue(next, id, parts.alertLog, now), extrasDue(parts, days));
    const due = dueMs === null ? null : keys.due(dueMs, key);
    if (!stateChanged && extrasSame && due === old?.due) continue;
    const indexes: StoreWrite[] = [];
    const nameVersion = indexWrites(indexes, old?.relationship, old?.nameVersion ?? 1, rel);
    out.push({ key, expectedVersion: before?.version ?? null, value: json({ ...parts, due, ...(nameVersion === 1 ? {} : { nameVersion }) }) }, ...indexes);
    exchangeIndexWrites(out, id, old, parts);
    moveDue(out, old?.due ?? null, due);
    if (old === undefined || rel.serverReadiness !== old.relationship.serverReadiness || rel.listener !== old.relationship.listener) {
      if (rel.listener !== null) touched.add(rel.listener);
      if (old?.relationship.listener != null) touched.add(old.relationship.listener);
    } else if (rel.listener !== null && !slice.listeners.has(rel.listener) && memberMark(rel, outbound) !== memberMark(old.relationship, old.outbound)) {
      throw notLoaded(rel.listener);
    }
  }
  listenerWrites(out, slice, next, now, logs, touched, extras.refile === true);
  return out;
}

/** A change of a listener's partners in a slice that does not hold the listener: an engine bug. */
function notLoaded(protocol: ServerProtocol): Error {
  return new Error(`ediint-cem: the partners of listener ${protocol} changed in an operation that did not load it`);
}

/**
 * The listener aggregates to rewrite: each whose slot, alert log or tally changed (the tally: the
 * partners the slice does not hold, from the stored one, plus the marks of those it holds), or
 * whose partners' readiness or membership changed (`touched`).
 */
function listenerWrites(out: StoreWrite[], slice: Slice, next: CemState, now: Date, logs: Map<string, Record<string, string>>, touched: ReadonlySet<ServerProtocol>, refile: boolean): void {
  const protocols = new Set<ServerProtocol>([...slice.listeners.keys(), ...(Object.keys(next.servers) as ServerProtocol[]), ...touched]);
  for (const protocol of protocols) {
    if (!slice.listeners.has(protocol)) throw notLoaded(protocol);
    const server = next.servers[protocol] ?? null;
    const before = slice.listeners.get(protocol) ?? null;
    const old: ListenerAggregate | undefined = before?.value;
    const tally = tallyOf(next, protocol, othersOf(slice.state, protocol));
    if (old === undefined && server === null && Object.keys(tally).length === 0) continue; // nothing to keep
    const alertLog = logs.get(`lis:${protocol}`) ?? {};
    const logSame = old !== undefined && sameLog(alertLog, old.alertLog);
    const tallySame = old?.tally !== undefined && sameTally(old.tally, tally);
    const unchanged = old !== undefined && server === old.server && logSame && tallySame && !touched.has(protocol);
    if (unchanged && !refile) continue;
    const key = keys.listener(protocol);
    const log = logSame && old !== undefined ? old.alertLog : alertLog;
    const dueMs = listenerDue(next, protocol, log, now);
    const due = dueMs === null ? null : keys.due(dueMs, key);
    if (unchanged && due === old?.due) continue;
    out.push({ key, expectedVersion: before?.version ?? null, value: json({ server, alertLog: log, due, tally: tallySame && old?.tally !== undefined ? old.tally : tally }) });
    moveDue(out, old?.due ?? null, due);
  }
}
