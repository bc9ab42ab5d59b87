/**
 * Retention of finished exchanges: which statuses are final, when an exchange was last active,
 * and when its retention (`settings.retainFinishedDays`) has passed. Every function takes `now`;
 * none reads the clock.
 *
 * @module
 */
import { DEFAULT_SETTINGS, type CemSettings, type InboundExchange, type InboundStatus, type OutboundExchange, type OutboundStatus } from '../state/model.js';
import { instantMs } from './deadlines.js';

const DAY_MS = 86_400_000;

/**
 * Outbound statuses after which nothing waits any more. `expired` is not final (a late Response is
 * still adopted, `resend` and "set as active" still act on it, the daily `requestOverdue` alert
 * still fires), nor is `emailed` (it waits for "set as active").
 */
const OUTBOUND_FINISHED: { readonly [S in OutboundStatus]: boolean } = Object.freeze({
  sending: false,
  sendFailed: false,
  pending: false,
  expired: false,
  emailed: false,
  accepted: true,
  rejected: true,
  closed: true,
  superseded: true,
});

/** Inbound statuses after which nothing waits any more: the Response was delivered, or every item was superseded. */
const INBOUND_FINISHED: { readonly [S in InboundStatus]: boolean } = Object.freeze({
  awaitingDecision: false,
  responding: false,
  responseFailed: false,
  answered: true,
  superseded: true,
});

/**
 * True for a finished outbound status: `accepted`, `rejected`, `closed` or `superseded` (an
 * unknown status from storage counts as open).
 *
 * @example
 * ```ts
 * isFinishedOutbound('closed')  // true
 * isFinishedOutbound('expired') // false
 * ```
 * @throws never.
 */
export function isFinishedOutbound(status: OutboundStatus): boolean {
  return Object.hasOwn(OUTBOUND_FINISHED, status) && OUTBOUND_FINISHED[status];
}

/**
 * True for a finished inbound status: `answered` or `superseded` (an unknown status from storage
 * counts as open).
 *
 * @example
 * ```ts
 * isFinishedInbound('answered')        // true
 * isFinishedInbound('responseFailed')  // false
 * ```
 * @throws never.
 */
export function isFinishedInbound(status: InboundStatus): boolean {
  return Object.hasOwn(INBOUND_FINISHED, status) && INBOUND_FINISHED[status];
}

function newest(instants: readonly (string | null | undefined)[]): number {
  const times = instants.filter((i): i is string => typeof i === 'string').map(instantMs).filter(Number.isFinite);
  return times.length === 0 ? Number.NaN : Math.max(...times);
}

/**
 * When an exchange was last active, in ms since the epoch: its `finishedAt`, or, for exchanges
 * stored before `finishedAt` existed, the newest instant it holds (outbound: created, originated,
 * answered; inbound: received, responded). `NaN` when it holds no valid instant.
 *
 * @example
 * ```ts
 * lastActivity({ ...ex, finishedAt: '2027-01-01T00:00:00.000Z' }) // Date.parse('2027-01-01T00:00:00Z')
 * ```
 * @throws never.
 */
export function lastActivity(exchange: OutboundExchange | InboundExchange): number {
  const stamped = typeof exchange.finishedAt === 'string' ? instantMs(exchange.finishedAt) : Number.NaN;
  if (Number.isFinite(stamped)) return stamped;
  if ('receivedAt' in exchange) return newest([exchange.receivedAt, exchange.respondedAt]);
  return newest([exchange.createdAt, exchange.originated, ...(Array.isArray(exchange.items) ? exchange.items.map((i) => i.respondedAt) : [])]);
}

/**
 * The retention in days: `settings.retainFinishedDays`, or the default (400) when a stored
 * settings record predates the setting or holds an invalid value.
 *
 * @example
 * ```ts
 * retentionDays({ ...DEFAULT_SETTINGS, retainFinishedDays: 30 }) // 30
 * ```
 * @throws never.
 */
export function retentionDays(settings: Pick<CemSettings, 'retainFinishedDays'>): number {
  const days = settings.retainFinishedDays;
  return typeof days === 'number' && Number.isFinite(days) && days >= 1 ? days : DEFAULT_SETTINGS.retainFinishedDays;
}

/**
 * True when `days` days have passed since `lastActiveMs` at `now` (exactly `days` days counts).
 * An unknown last activity (`NaN`) never passes.
 *
 * @example
 * ```ts
 * retentionPassed(Date.parse('2026-01-01T00:00:00Z'), new Date('2027-02-05T00:00:00Z'), 400) // true
 * ```
 * @throws never.
 */
export function retentionPassed(lastActiveMs: number, now: Date, days: number): boolean {
  return Number.isFinite(lastActiveMs) && now.getTime() - lastActiveMs >= days * DAY_MS;
}
