/**
 * The outbox: every effect is stored as an intent in the same commit as the state change that
 * asked for it, claimed (a lease) before it is performed, and deleted by the commit that records
 * its result. A crash leaves the entry behind; once its lease expires any engine performs it again,
 * identically, because everything needed is in the entry and the stored material.
 *
 * Each entry has one due entry (`odue/<instant>/<id>`: when it can next be taken, its claim's end
 * or its retry time) moved by every write of the entry, and one effect entry
 * (`oeffect/<sha256>`) so an identical pending intent is found with one `get`, never by listing.
 *
 * @module
 */
import type { JsonValue } from '../ports/json.js';
import type { CemStore, StoredRecord, StoreWrite } from '../ports/store.js';
import type { CemEffect } from '../state/effects.js';
import { isRecord } from '../state/validate.js';
import { keys, PREFIX } from './keys.js';

/** A claim on an entry: who performs it, and until when the claim holds. */
export interface OutboxClaim {
  readonly by: string;
  /** ISO instant after which another engine may take the entry over. */
  readonly until: string;
}

/** One stored intent. */
export interface OutboxEntry {
  readonly id: string;
  readonly effect: Exclude<CemEffect, { type: 'ignored' }>;
  readonly createdAt: string;
  readonly claim: OutboxClaim | null;
  readonly attempts: number;
  /** Not to be tried again before this instant (after a failure that keeps the entry). */
  readonly notBefore: string | null;
  readonly lastError: string | null;
  /** The Content-ID of a Response's XML part, drawn once so a resend is identical. */
  readonly xmlContentId: string | null;
  /** The entry's key in the `odue/` index. */
  readonly dueKey: string;
  /**
   * How often a restarted run of the claiming engine id took the entry over at once, since its
   * last attempt that returned. Capped ({@link MAX_TAKEOVERS}): an entry whose port call keeps
   * killing the process then waits for its lease like any other, instead of a crash loop.
   */
  readonly takeovers?: number;
}

/** Immediate takeovers of an entry by restarted runs before it waits for its lease again. */
export const MAX_TAKEOVERS = 2;

/** An entry read from the store, with its key and version. */
export interface LoadedEntry {
  readonly key: string;
  readonly version: number;
  readonly entry: OutboxEntry;
}

/**
 * Canonical text of an effect, to recognise the same intent stored twice.
 *
 * @example
 * ```ts
 * effectText(a) === effectText(b) // the same intent
 * ```
 * @throws never for JSON effects.
 */
export function effectText(effect: CemEffect): string {
  return JSON.stringify(effect);
}

function asEntry(record: StoredRecord): LoadedEntry | null {
  const v = record.value;
  if (!isRecord(v) || typeof v['id'] !== 'string' || !isRecord(v['effect'])) return null;
  return { key: record.key, version: record.version, entry: v as unknown as OutboxEntry };
}

/**
 * Outbox entries in the order they can be taken (their due entries up to `until`, at most
 * `limit`, after the due key `after`), each re-read so its version is current.
 *
 * @example
 * ```ts
 * const { entries, last } = await dueEntries(store, now.toISOString(), 50)
 * ```
 * @throws whatever the store throws.
 */
export async function dueEntries(store: CemStore, until: string | null, limit: number, after?: string): Promise<{ entries: LoadedEntry[]; last: string | undefined; full: boolean }> {
  const range = { limit, ...(until === null ? {} : { end: `${PREFIX.outboxDue}${until}~` }), ...(after === undefined ? {} : { after }) };
  const page = await store.list(PREFIX.outboxDue, range);
  const entries: LoadedEntry[] = [];
  for (const due of page) {
    const id = isRecord(due.value) ? due.value['id'] : undefined;
    if (typeof id !== 'string') continue;
    const record = await store.get(keys.outbox(id));
    const entry = record === undefined ? null : asEntry(record);
    if (entry !== null && entry.entry.dueKey === due.key) entries.push(entry);
  }
  return { entries, last: page.at(-1)?.key, full: page.length === limit };
}

/** When an entry can next be taken: its retry time, else its claim's end, else now. */
function takeableAt(entry: Omit<OutboxEntry, 'dueKey'>): number {
  if (entry.notBefore !== null) return Math.max(Date.parse(entry.notBefore), entry.claim === null ? 0 : Date.parse(entry.claim.until));
  return entry.claim === null ? Date.parse(entry.createdAt) : Date.parse(entry.claim.until);
}

/** The writes that store `entry` (new value of `loaded`, or a create) with its due entry moved. */
function entryWrites(loaded: LoadedEntry | null, key: string, entry: Omit<OutboxEntry, 'dueKey'>): { writes: StoreWrite[]; value: OutboxEntry } {
  const dueKey = keys.outboxDue(takeableAt(entry), entry.id);
  const value = JSON.parse(JSON.stringify({ ...entry, dueKey })) as OutboxEntry;
  const writes: StoreWrite[] = [{ key, expectedVersion: loaded?.version ?? null, value: value as unknown as JsonValue }];
  if (loaded?.entry.dueKey !== dueKey) {
    if (loaded !== null) writes.push({ key: loaded.entry.dueKey, expectedVersion: 1, value: null });
    writes.push({ key: dueKey, expectedVersion: null, value: { id: entry.id } });
  }
  return { writes, value };
}

/** Options for creating entries. */
export interface NewEntriesInput {
  readonly effects: readonly CemEffect[];
  /** Unique per commit attempt; entries are `<opId>-<nnn>`. */
  readonly opId: string;
  readonly now: Date;
  /** The claim the creating engine holds from the start. */
  readonly claim: OutboxClaim;
  /** Effect texts of intents already pending (see {@link pendingEffects}): not stored twice. */
  readonly existing: ReadonlySet<string>;
  /** The Content-ID of a Response's XML part (see `responseContentIds`). */
  readonly contentId: (effect: Extract<CemEffect, { type: 'sendResponse' }>) => string;
}

/**
 * The creates for the performable effects of one commit (every effect but `ignored`), claimed by
 * the creating engine. Effects identical to a stored entry are skipped.
 *
 * @example
 * ```ts
 * const { writes, entries } = newEntries({ effects, opId, now, claim, existing, contentId: (e) => ids.get(e) })
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` when an id cannot form a key.
 */
export function newEntries(input: NewEntriesInput): { writes: StoreWrite[]; entries: LoadedEntry[] } {
  const known = new Set(input.existing);
  const writes: StoreWrite[] = [];
  const entries: LoadedEntry[] = [];
  input.effects.forEach((effect, index) => {
    if (effect.type === 'ignored') return;
    const text = effectText(effect);
    if (known.has(text)) return;
    known.add(text);
    const id = `${input.opId}-${String(index).padStart(3, '0')}`;
    const entry = {
      id,
      effect,
      createdAt: input.now.toISOString(),
      claim: input.claim,
      attempts: 0,
      notBefore: null,
      lastError: null,
      xmlContentId: effect.type === 'sendResponse' ? input.contentId(effect) : null,
    };
    const key = keys.outbox(id);
    const made = entryWrites(null, key, entry);
    writes.push(...made.writes, { key: keys.outboxEffect(text), expectedVersion: null, value: { id } });
    entries.push({ key, version: 1, entry: made.value });
  });
  return { writes, entries };
}

/**
 * True when an engine may take the entry now: unclaimed or its lease expired, and not waiting
 * for a retry time.
 *
 * @example
 * ```ts
 * if (isClaimable(e.entry, now)) await claimEntry(store, e, claim)
 * ```
 * @throws never.
 */
export function isClaimable(entry: OutboxEntry, now: Date, previousRun?: (claimant: string) => boolean): boolean {
  if (entry.notBefore !== null && Date.parse(entry.notBefore) > now.getTime()) return false;
  return entry.claim === null || Date.parse(entry.claim.until) <= now.getTime() || isTakeover(entry, now, previousRun);
}

/** True when a restarted run of the claimant's engine id may take the entry over before its lease ends. */
export function isTakeover(entry: OutboxEntry, now: Date, previousRun?: (claimant: string) => boolean): boolean {
  return entry.claim !== null && Date.parse(entry.claim.until) > now.getTime() && previousRun?.(entry.claim.by) === true && (entry.takeovers ?? 0) < MAX_TAKEOVERS;
}

/**
 * The version-checked write that claims an entry.
 *
 * @example
 * ```ts
 * await store.commit([claimWrite(e, { by: 'node-1', until })])
 * ```
 * @throws never.
 */
export function claimWrite(loaded: LoadedEntry, claim: OutboxClaim, takeover = false): { writes: StoreWrite[]; claimed: LoadedEntry } {
  const made = entryWrites(loaded, loaded.key, { ...loaded.entry, claim, ...(takeover ? { takeovers: (loaded.entry.takeovers ?? 0) + 1 } : {}) });
  return { writes: made.writes, claimed: { key: loaded.key, version: loaded.version + 1, entry: made.value } };
}

/**
 * The write that keeps an entry for a later attempt: unclaimed, one more attempt, not before
 * `notBefore`.
 *
 * @example
 * ```ts
 * await store.commit([releaseWrite(e, 'notifier down', later)])
 * ```
 * @throws never.
 */
export function releaseWrite(loaded: LoadedEntry, error: string, notBefore: Date): StoreWrite[] {
  const entry = { ...loaded.entry, claim: null, attempts: loaded.entry.attempts + 1, lastError: error, notBefore: notBefore.toISOString(), takeovers: 0 };
  return entryWrites(loaded, loaded.key, entry).writes;
}

/**
 * The write that removes a performed entry (version-checked: only its claimant removes it).
 *
 * @example
 * ```ts
 * await store.commit([...stateWrites, doneWrite(e)])
 * ```
 * @throws never.
 */
export function doneWrite(loaded: LoadedEntry): StoreWrite[] {
  return [
    { key: loaded.key, expectedVersion: loaded.version, value: null },
    { key: loaded.entry.dueKey, expectedVersion: 1, value: null },
    { key: keys.outboxEffect(effectText(loaded.entry.effect)), expectedVersion: 1, value: null },
  ];
}

/**
 * The effect texts among `effects` that already have a pending entry: one `get` per distinct
 * performable effect.
 *
 * @example
 * ```ts
 * const existing = await pendingEffects(store, effects)
 * ```
 * @throws whatever the store throws.
 */
export async function pendingEffects(store: CemStore, effects: readonly CemEffect[]): Promise<Set<string>> {
  const found = new Set<string>();
  const asked = new Set<string>();
  for (const effect of effects) {
    if (effect.type === 'ignored') continue;
    const text = effectText(effect);
    if (asked.has(text)) continue;
    asked.add(text);
    if ((await store.get(keys.outboxEffect(text))) !== undefined) found.add(text);
  }
  return found;
}
