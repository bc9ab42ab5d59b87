/**
 * The store layout of the engine: which record holds which part of the state.
 *
 * | key | value |
 * |---|---|
 * | `head` | bumped by every state change: the commit that serialises writers |
 * | `settings` | {@link CemSettings} (absent: the configured defaults) |
 * | `alerts` | the daily-alert log |
 * | `rel/<id>` | one {@link Relationship} |
 * | `out/<requestId>` | one {@link OutboundExchange} |
 * | `in/<key>` | one {@link InboundExchange} |
 * | `server/<protocol>` | one {@link ServerSlot} |
 * | `material/<fingerprint>` | a certificate's DER and chain, base64 |
 * | `outbox/<id>` | an effect to perform (see `outbox.ts`) |
 * | `seen/<relationship>/<sha256(message-id)>` | a processed inbound CEM message, with the time `at` |
 * | `response/<sha256(exchange, url)>` | the XML Content-ID of our Response, so every send of it is identical, with the time `at` |
 *
 * Finished exchanges and old `seen/` and `response/` records are deleted by `tick` after
 * `retainFinishedDays` (see `retention.ts`).
 *
 * Ids (peer-supplied requestIds and Message-IDs, host-made request ids, relationship ids, AS2
 * names) form one segment each, escaped with `encodeURIComponent`, so ids with `/` stay one
 * segment. When the escaped key would exceed the 1024-character limit of a store key (a 255-character
 * non-ASCII requestId escapes to 1530 characters), or the id cannot be escaped (a lone UTF-16
 * surrogate), the segment is `sha256=` followed by the SHA-256 (hex) of the id's UTF-16 code
 * units instead. `=` is escaped by `encodeURIComponent`, so such a segment never equals the
 * escaped form of another id. Every key that fitted before keeps its exact form, so records of an
 * existing store are found and updated in place; the raw id is always kept in the record's value
 * (the state is loaded by prefix and indexed by value, never by decoding keys).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { isStoreKey } from '../ports/store.js';

/** The record every state change rewrites (version-checked). */
export const HEAD_KEY = 'head';
/** The settings record. */
export const SETTINGS_KEY = 'settings';
/** The daily-alert log record. */
export const ALERTS_KEY = 'alerts';

/** Prefixes of the per-item state records, in load order. */
export const PREFIX = Object.freeze({
  relationship: 'rel/',
  outbound: 'out/',
  inbound: 'in/',
  server: 'server/',
  material: 'material/',
  outbox: 'outbox/',
  seen: 'seen/',
  response: 'response/',
});

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
  outbound: (id: string): string => boundedKey('out', id),
  inbound: (key: string): string => boundedKey('in', key),
  server: (protocol: string): string => boundedKey('server', protocol),
  material: (fingerprint: string): string => boundedKey('material', fingerprint),
  outbox: (id: string): string => boundedKey('outbox', id),
  seen: (scope: string, messageId: string): string => boundedKey('seen', scope, sha256(messageId)),
  response: (exchangeKey: string, responseUrl: string | null): string => boundedKey('response', sha256(`${exchangeKey}\n${responseUrl ?? ''}`)),
});
