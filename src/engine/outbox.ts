/**
 * The outbox: every effect is stored as an intent in the same commit as the state change that
 * asked for it, claimed (a lease) before it is performed, and deleted by the commit that records
 * its result. A crash leaves the entry behind; once its lease expires any engine performs it again,
 * identically, because everything needed is in the entry and the stored material.
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
}

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
 * Every outbox entry, oldest first.
 *
 * @example
 * ```ts
 * const pending = await listOutbox(store)
 * ```
 * @throws whatever the store throws.
 */
export async function listOutbox(store: CemStore): Promise<LoadedEntry[]> {
  return (await store.list(PREFIX.outbox)).map(asEntry).filter((e): e is LoadedEntry => e !== null);
}

/** Options for creating entries. */
export interface NewEntriesInput {
  readonly effects: readonly CemEffect[];
  /** Unique per commit attempt; entries are `<opId>-<nnn>`. */
  readonly opId: string;
  readonly now: Date;
  /** The claim the creating engine holds from the start. */
  readonly claim: OutboxClaim;
  /** Entries already stored: an identical pending intent is not stored twice. */
  readonly existing: readonly LoadedEntry[];
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
  const known = new Set(input.existing.map((e) => effectText(e.entry.effect)));
  const writes: StoreWrite[] = [];
  const entries: LoadedEntry[] = [];
  input.effects.forEach((effect, index) => {
    if (effect.type === 'ignored') return;
    const text = effectText(effect);
    if (known.has(text)) return;
    known.add(text);
    const id = `${input.opId}-${String(index).padStart(3, '0')}`;
    const entry: OutboxEntry = {
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
    const value = JSON.parse(JSON.stringify(entry)) as JsonValue;
    writes.push({ key, expectedVersion: null, value });
    entries.push({ key, version: 1, entry: value as unknown as OutboxEntry });
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
export function isClaimable(entry: OutboxEntry, now: Date): boolean {
  if (entry.notBefore !== null && Date.parse(entry.notBefore) > now.getTime()) return false;
  return entry.claim === null || Date.parse(entry.claim.until) <= now.getTime();
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
export function claimWrite(loaded: LoadedEntry, claim: OutboxClaim): StoreWrite {
  return { key: loaded.key, expectedVersion: loaded.version, value: JSON.parse(JSON.stringify({ ...loaded.entry, claim })) as JsonValue };
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
export function releaseWrite(loaded: LoadedEntry, error: string, notBefore: Date): StoreWrite {
  const entry = { ...loaded.entry, claim: null, attempts: loaded.entry.attempts + 1, lastError: error, notBefore: notBefore.toISOString() };
  return { key: loaded.key, expectedVersion: loaded.version, value: JSON.parse(JSON.stringify(entry)) as JsonValue };
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
export function doneWrite(loaded: LoadedEntry): StoreWrite {
  return { key: loaded.key, expectedVersion: loaded.version, value: null };
}

/**
 * The XML Content-IDs of the Responses among `effects`: the one stored for the same exchange and
 * ResponseURL, or a new one (with the write that stores it, stamped `at = now` for its retention).
 * Every send of a Response, also after a failure and `retry`, is then byte-identical.
 *
 * @example
 * ```ts
 * const { lookup, writes } = await responseContentIds(store, effects, () => ids.contentId(), now)
 * ```
 * @throws whatever the store throws.
 */
export async function responseContentIds(
  store: CemStore,
  effects: readonly CemEffect[],
  draw: () => string,
  now: Date,
): Promise<{ lookup: (effect: Extract<CemEffect, { type: 'sendResponse' }>) => string; writes: StoreWrite[] }> {
  const found = new Map<string, string>();
  const writes: StoreWrite[] = [];
  for (const effect of effects) {
    if (effect.type !== 'sendResponse') continue;
    const key = keys.response(effect.exchangeKey, effect.responseUrl);
    if (found.has(key)) continue;
    const value = (await store.get(key))?.value;
    if (isRecord(value) && typeof value['xmlContentId'] === 'string') {
      found.set(key, value['xmlContentId']);
      continue;
    }
    const id = draw();
    found.set(key, id);
    writes.push({ key, expectedVersion: null, value: { exchangeKey: effect.exchangeKey, responseUrl: effect.responseUrl, xmlContentId: id, at: now.toISOString() } });
  }
  return { lookup: (effect) => found.get(keys.response(effect.exchangeKey, effect.responseUrl)) ?? draw(), writes };
}
