/**
 * The optional audit port: an append-only trail of what the engine did and why.
 *
 * @module
 */
import type { JsonValue } from './json.js';

/**
 * One audit event.
 *
 * @example
 * ```ts
 * const e: AuditEvent = { at: clock.now(), type: 'requestSent', data: { partnerId: 'acme' } }
 * ```
 */
export interface AuditEvent {
  readonly at: Date;
  /** What happened, e.g. `requestSent`, `certificateActivated`. */
  readonly type: string;
  readonly data: Readonly<Record<string, JsonValue>>;
}

/**
 * Records audit events. Hosts without an audit trail leave it out of {@link CemPorts}.
 *
 * @example
 * ```ts
 * const audit: AuditSink = { record: async (e) => db.insert('cem_audit', e) }
 * ```
 */
export interface AuditSink {
  record(event: AuditEvent): Promise<void>;
}
