/**
 * The store layout of the engine (layout version {@link LAYOUT_VERSION}): one record per
 * aggregate, indexes kept in the same commit as the aggregates they point to, so every operation
 * reads and writes only the records it touches.
 *
 * | key | value |
 * |---|---|
 * | `layout` | `{ format: 'ediint-cem', version }`: the layout version (see `layout.ts`) |
 * | `settings` | {@link CemSettings} (absent: the configured defaults) |
 * | `rel/<id>` | a relationship aggregate: the {@link Relationship}, its outbound and inbound exchanges, its part of the daily-alert log, the Message-IDs and Request digests it processed, the Content-IDs of its Responses, and its due key |
 * | `listener/<protocol>` | a listener aggregate: the {@link ServerSlot} (`null` while none), its part of the alert log, its due key, and the tally of its partners by readiness (`src/state/indexes/listener-tally.ts`) |
 * | `name/<AS2-From \n AS2-To>` | index: the relationship of inbound messages between these AS2 names, with its `NameEntry` (`src/state/indexes/name-entry.ts`) summary (rewritten with it) |
 * | `member/<protocol>/<id>` | index: the relationships on a listener |
 * | `xout/<requestId>`, `xin/<key>` | index: the relationship of an outbound / inbound exchange |
 * | `due/<ISO instant>/<aggregate key>` | index: one entry per aggregate with something due, at its earliest due instant |
 * | `material/<fingerprint>` | a certificate's DER and chain, base64 |
 * | `outbox/<id>` | an effect to perform (see `outbox.ts`) |
 * | `odue/<ISO instant>/<id>` | index: when each outbox entry can next be taken (its claim's end or retry time) |
 * | `oeffect/<sha256(effect)>` | index: the pending entry of an effect, so an identical intent is stored once |
 *
 * Index records are written once (version 1) and deleted at version 1; they never change in
 * place. Due keys sort by time as strings: `toISOString()` is fixed-width for the years 0–9999.
 *
 * Ids (peer-supplied requestIds and Message-IDs, host-made request ids, relationship ids, AS2
 * names) form one segment each, escaped with `encodeURIComponent`, so ids with `/` stay one
 * segment. When the escaped key would exceed the 1024-character limit of a store key (a 255-character
 * non-ASCII requestId escapes to 1530 characters), or the id cannot be escaped (a lone UTF-16
 * surrogate), the segment is `sha256=` followed by the SHA-256 (hex) of the id's UTF-16 code
 * units instead. `=` is escaped by `encodeURIComponent`, so such a segment never equals the
 * escaped form of another id. The raw id is always kept in the record's value.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { isStoreKey } from '../ports/store.js';

/** The stored layout's version: opening a store of another version is refused. */
export const LAYOUT_VERSION = 2;
/** The layout record. */
export const LAYOUT_KEY = 'layout';
/** The settings record. */
export const SETTINGS_KEY = 'settings';

/** Prefixes of the records. */
export const PREFIX = Object.freeze({
  relationship: 'rel/',
  listener: 'listener/',
  name: 'name/',
  member: 'member/',
  due: 'due/',
  material: 'material/',
  outbox: 'outbox/',
  outboxDue: 'odue/',
  outboxEffect: 'oeffect/',
});

/** The instant part of a due key: fixed-width ISO (clamped to the years 0–9999). */
export function dueInstant(ms: number): string {
  return new Date(Math.min(Math.max(ms, -62167219200000), 253402300799999)).toISOString();
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function escaped(id: string): string | null {
  try {
    return encodeURIComponent(id);
  } catch {
    return null; // a lone surrogate
  }
}

/**
 * The key `<prefix>/<id>[/<suffix>]` with `id` escaped, or with `id` hashed when the escaped key
 * would not be a valid store key (see the module notes). Never throws.
 *
 * @example
 * ```ts
 * boundedKey('in', 'acme/r-1')          // 'in/acme%2Fr-1'
 * boundedKey('in', 'é'.repeat(255))     // 'in/sha256=…' (64 hex digits)
 * ```
 * @throws never.
 */
export function boundedKey(prefix: string, id: string, suffix?: string): string {
  const tail = suffix === undefined ? '' : `/${suffix}`;
  const plain = escaped(id);
  if (plain !== null && plain.length > 0) {
    const key = `${prefix}/${plain}${tail}`;
    if (isStoreKey(key)) return key;
  }
  return `${prefix}/sha256=${createHash('sha256').update(id, 'utf16le').digest('hex')}${tail}`;
}

/**
 * Key builders. Every key is valid and at most 1024 characters, whatever the id (see
 * {@link boundedKey}); keys of ids that fit are their escaped form.
 *
 * @example
 * ```ts
 * keys.relationship('acme') // 'rel/acme'
 * keys.inbound('acme/r-1')  // 'in/acme%2Fr-1'
 * ```
 * @throws never.
 */
export const keys = Object.freeze({
  relationship: (id: string): string => boundedKey('rel', id),
  listener: (protocol: string): string => boundedKey('listener', protocol),
  name: (as2From: string, as2To: string): string => boundedKey('name', `${as2From}\n${as2To}`),
  member: (protocol: string, id: string): string => `${boundedKey('member', protocol)}/${boundedKey('m', id).slice(2)}`,
  memberPrefix: (protocol: string): string => `${boundedKey('member', protocol)}/`,
  outbound: (id: string): string => boundedKey('xout', id),
  inbound: (key: string): string => boundedKey('xin', key),
  due: (ms: number, aggregateKey: string): string => `due/${dueInstant(ms)}/${aggregateKey}`,
  material: (fingerprint: string): string => boundedKey('material', fingerprint),
  outbox: (id: string): string => boundedKey('outbox', id),
  outboxDue: (ms: number, id: string): string => `odue/${dueInstant(ms)}/${boundedKey('o', id).slice(2)}`,
  outboxEffect: (text: string): string => `oeffect/${sha256(text)}`,
});

/**
 * The digest under which a processed Message-ID or CEM document is remembered in its aggregate.
 *
 * @example
 * ```ts
 * digest('<m1@partner>') // 64 hex digits
 * ```
 * @throws never.
 */
export function digest(text: string): string {
  return sha256(text);
}
