/**
 * Small readable views of an engine's answers, for the examples' summaries: certificates by their
 * example names instead of fingerprints.
 *
 * @module
 */
import { nameOf } from '../certs/index.js';
import type { CemEngine } from '../sdk.js';
import type { EngineParty } from './parties.js';

/** Anything with a name and an engine. */
export interface HasEngine {
  readonly name: string;
  readonly engine: CemEngine;
}

/** What `resolve()` answers for one partner, by certificate name. */
export interface ResolvedNames {
  /** The certificate we sign with. */
  readonly sign: string | null;
  /** The partner certificate we encrypt to. */
  readonly encrypt: string | null;
  /** Every certificate of ours that decrypts the partner's messages. */
  readonly decrypt: readonly string[];
  /** Every partner certificate that verifies its signatures. */
  readonly verify: readonly string[];
  /** The server certificate our listener presents to the partner. */
  readonly tlsServer: string | null;
}

/**
 * The certificates `party` uses with `partnerId` now.
 *
 * @example
 * ```ts
 * (await resolvedNames(acme, 'globex')).decrypt // ['acme-enc-1', 'acme-enc-2'] during the overlap
 * ```
 * @throws Error for an unknown relationship.
 */
export async function resolvedNames(party: HasEngine, partnerId: string): Promise<ResolvedNames> {
  const r = await party.engine.resolve(partnerId);
  if (r === null) throw new Error(`${party.name} has no relationship ${partnerId}`);
  return Object.freeze({
    sign: r.signOutbound === null ? null : nameOf(r.signOutbound.fingerprint),
    encrypt: r.encryptOutbound === null ? null : nameOf(r.encryptOutbound.fingerprint),
    decrypt: Object.freeze(r.decryptInbound.map((c) => nameOf(c.fingerprint)).sort()),
    verify: Object.freeze(r.verifyInbound.map((c) => nameOf(c.fingerprint)).sort()),
    tlsServer: r.tlsServer === null ? null : nameOf(r.tlsServer.fingerprint),
  });
}

/** A relationship's status and each certificate's, keyed `side usage name`. */
export interface StatusView {
  readonly relationship: string;
  readonly certificates: Readonly<Record<string, string>>;
}

/**
 * The status of one relationship and its certificates.
 *
 * @example
 * ```ts
 * (await statusView(acme, 'globex')).certificates['local signing acme-sign-2'] // 'Active'
 * ```
 * @throws Error for an unknown relationship.
 */
export async function statusView(party: HasEngine, partnerId: string): Promise<StatusView> {
  const [entry] = await party.engine.status(partnerId);
  if (entry === undefined) throw new Error(`${party.name} has no relationship ${partnerId}`);
  const certificates: Record<string, string> = {};
  for (const c of entry.certificates) certificates[`${c.side} ${c.usage} ${nameOf(c.fingerprint)}`] = c.status;
  return Object.freeze({ relationship: entry.status, certificates: Object.freeze(certificates) });
}

/**
 * How many alerts of each kind a party's notifier got.
 *
 * @example
 * ```ts
 * alertCounts(globex).requestOverdue // 3
 * ```
 */
export function alertCounts(party: EngineParty): Readonly<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const n of party.ports.notifier.notices) counts[n.kind] = (counts[n.kind] ?? 0) + 1;
  return Object.freeze(counts);
}

/**
 * How many CEM requests, responses and e-mails a party sent.
 *
 * @example
 * ```ts
 * sentCounts(acme) // { requests: 1, responses: 1, emails: 0 }
 * ```
 */
export function sentCounts(party: EngineParty): { readonly requests: number; readonly responses: number; readonly emails: number } {
  const t = party.ports.transport;
  return Object.freeze({ requests: t.requests.length, responses: t.responses.length, emails: t.emails.length });
}
