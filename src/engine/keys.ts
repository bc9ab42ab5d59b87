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
 * Segments are escaped with `encodeURIComponent`, so ids with `/` stay one segment.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { storeKey } from '../ports/store.js';

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

/**
 * Key builders.
 *
 * @example
 * ```ts
 * keys.relationship('acme') // 'rel/acme'
 * keys.inbound('acme/r-1')  // 'in/acme%2Fr-1'
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for an empty id or a key over 1024 characters.
 */
export const keys = Object.freeze({
  relationship: (id: string): string => storeKey('rel', id),
  outbound: (id: string): string => storeKey('out', id),
  inbound: (key: string): string => storeKey('in', key),
  server: (protocol: string): string => storeKey('server', protocol),
  material: (fingerprint: string): string => storeKey('material', fingerprint),
  outbox: (id: string): string => storeKey('outbox', id),
  seen: (scope: string, messageId: string): string => storeKey('seen', scope, createHash('sha256').update(messageId).digest('hex')),
  response: (exchangeKey: string, responseUrl: string | null): string =>
    storeKey('response', createHash('sha256').update(`${exchangeKey}\n${responseUrl ?? ''}`).digest('hex')),
});
