/**
 * The stance tally of a listener: how many partners on it stand where with its server
 * certificates, counted by *mark* (the part of a partner's readiness the consensus reads). The
 * engine keeps the tally in the listener's aggregate, rewritten in the same commit as any member
 * whose mark changes, so an operation on one partner during a rollover weighs every other partner
 * on the listener from the tally, without reading them: the pure consensus gets them as
 * `state.listenerOthers` ({@link othersOf}).
 *
 * A mark is `none` (no readiness), `<fingerprint> <status>` or, for a scheduled readiness,
 * `<fingerprint> scheduled <activateAt>`; an expired readiness whose Request was never confirmed
 * delivered is `<fingerprint> expired-undelivered`. A tally has one entry per distinct mark, so
 * its size is bounded by the certificates in play times the statuses, plus the distinct
 * activation times partners were scheduled at, never by the number of partners.
 *
 * @module
 */
import type { CemState, Fingerprint, OutboundExchange, Relationship, ServerProtocol, ServerReadiness } from '../model.js';

/** Partners by mark: each distinct mark with how many partners have it (only counts above 0). */
export type ListenerTally = Readonly<Record<string, number>>;

/** The mark of a partner without readiness. */
export const NO_READINESS = 'none';

const UNDELIVERED = 'expired-undelivered';
const STATUSES: ReadonlySet<string> = new Set(['pending', 'accepted', 'rejected', 'expired', 'emailed', 'scheduled', 'sendFailed']);

/**
 * True when `exchangeId` names one of `outbound`'s exchanges that expired before its delivery
 * was confirmed (`undelivered`).
 *
 * @example
 * ```ts
 * requestUndelivered(rel.serverReadiness?.exchangeId ?? null, state.outbound) // false
 * ```
 * @throws never.
 */
export function requestUndelivered(exchangeId: string | null, outbound: Readonly<Record<string, OutboundExchange>>): boolean {
  return exchangeId !== null && Object.hasOwn(outbound, exchangeId) && outbound[exchangeId]?.undelivered === true;
}

/**
 * The mark of one partner: its readiness and whether the Request behind an expired readiness was
 * never confirmed delivered (`outbound` holds the partner's exchanges).
 *
 * @example
 * ```ts
 * memberMark(rel, state.outbound) // 'none', 'ab12… accepted', 'ab12… scheduled 2026-12-05T10:00:00.000Z'
 * ```
 * @throws never.
 */
export function memberMark(rel: Relationship, outbound: Readonly<Record<string, OutboundExchange>>): string {
  const r = rel.serverReadiness;
  if (r === null) return NO_READINESS;
  if (r.status === 'scheduled') return `${r.fingerprint} scheduled ${r.activateAt ?? ''}`;
  if (r.status === 'expired' && requestUndelivered(r.exchangeId, outbound)) return `${r.fingerprint} ${UNDELIVERED}`;
  return `${r.fingerprint} ${r.status}`;
}

/** A mark read back: the readiness it stands for (`null` for none) and its undelivered flag. */
export interface ParsedMark {
  readonly readiness: Pick<ServerReadiness, 'fingerprint' | 'status' | 'activateAt'> | null;
  readonly undelivered: boolean;
}

/**
 * Reads a mark back; an unknown mark reads as no readiness (the partner is waited for).
 *
 * @example
 * ```ts
 * parseMark('ab12 accepted') // { readiness: { fingerprint: 'ab12', status: 'accepted', activateAt: null }, undelivered: false }
 * ```
 * @throws never.
 */
export function parseMark(mark: string): ParsedMark {
  const [fingerprint = '', word = '', at = ''] = mark.split(' ');
  const undelivered = word === UNDELIVERED;
  const status = undelivered ? 'expired' : word;
  if (fingerprint === '' || !STATUSES.has(status)) return { readiness: null, undelivered: false };
  const activateAt = status === 'scheduled' && at !== '' ? at : null;
  return { readiness: { fingerprint: fingerprint as Fingerprint, status: status as ServerReadiness['status'], activateAt }, undelivered };
}

/**
 * `tally` with `delta` partners added to (or, negative, taken from) `mark`. Returns `null` when a
 * count would drop below zero (a tally that does not hold what is taken from it).
 *
 * @example
 * ```ts
 * addMark({ none: 2 }, 'none', -1) // { none: 1 }
 * ```
 * @throws never.
 */
export function addMark(tally: ListenerTally, mark: string, delta: number): ListenerTally | null {
  if (delta === 0) return tally;
  const count = (Object.hasOwn(tally, mark) ? (tally[mark] ?? 0) : 0) + delta;
  if (count < 0 || !Number.isSafeInteger(count)) return null;
  const next: Record<string, number> = { ...tally };
  if (count === 0) delete next[mark];
  else next[mark] = count;
  return next;
}

/**
 * The tally of every partner on `protocol` in `state`, over `base` (the partners not in it).
 *
 * @example
 * ```ts
 * tallyOf(state, 'HTTP') // { none: 3, 'ab12… accepted': 2 }
 * ```
 * @throws never.
 */
export function tallyOf(state: CemState, protocol: ServerProtocol, base: ListenerTally = {}): ListenerTally {
  const out: Record<string, number> = { ...base };
  for (const rel of Object.values(state.relationships)) {
    if (rel.listener !== protocol) continue;
    const mark = memberMark(rel, state.outbound);
    out[mark] = (Object.hasOwn(out, mark) ? (out[mark] ?? 0) : 0) + 1;
  }
  return out;
}

/**
 * True when two tallies count the same.
 *
 * @example
 * ```ts
 * sameTally({ none: 1 }, { none: 1 }) // true
 * ```
 * @throws never.
 */
export function sameTally(a: ListenerTally, b: ListenerTally): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
}

/**
 * The partners on `protocol` that `state` does not hold, as a tally (empty when it holds them
 * all, as a whole state does).
 *
 * @example
 * ```ts
 * othersOf(slice, 'HTTP') // { 'ab12… accepted': 49999 }
 * ```
 * @throws never.
 */
export function othersOf(state: CemState, protocol: ServerProtocol): ListenerTally {
  const others = state.listenerOthers;
  if (others === undefined || !Object.hasOwn(others, protocol)) return {};
  return others[protocol] ?? {};
}

/**
 * True when some partner on `protocol` that `state` does not hold has a readiness for `fingerprint`.
 *
 * @example
 * ```ts
 * othersHaveReadiness(slice, 'HTTP', fp) // true
 * ```
 * @throws never.
 */
export function othersHaveReadiness(state: CemState, protocol: ServerProtocol, fingerprint: Fingerprint): boolean {
  return Object.keys(othersOf(state, protocol)).some((mark) => parseMark(mark).readiness?.fingerprint === fingerprint);
}
