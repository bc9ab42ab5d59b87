/**
 * An in-memory {@link AuditSink} that records events.
 *
 * @module
 */
import { cloneJson } from '../ports/json.js';
import type { AuditEvent, AuditSink } from '../ports/audit.js';

/**
 * A recording audit sink.
 *
 * @example
 * ```ts
 * const audit: MemoryAuditSink = createMemoryAuditSink()
 * expect(audit.ofType('requestSent')).toHaveLength(1)
 * ```
 */
export interface MemoryAuditSink extends AuditSink {
  /** Events recorded, in order (frozen copies). */
  readonly events: readonly AuditEvent[];
  /** Recorded events of one `type`. */
  ofType(type: string): readonly AuditEvent[];
}

/**
 * Creates an audit sink that keeps every event in memory.
 *
 * @example
 * ```ts
 * const audit = createMemoryAuditSink()
 * await audit.record({ at: clock.now(), type: 'requestSent', data: { partnerId: 'acme' } })
 * audit.ofType('requestSent').length // 1
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` when an event's data is not JSON.
 */
export function createMemoryAuditSink(): MemoryAuditSink {
  const events: AuditEvent[] = [];
  return Object.freeze({
    events,
    async record(event: AuditEvent): Promise<void> {
      events.push(Object.freeze({ at: new Date(event.at.getTime()), type: event.type, data: cloneJson(event.data) }));
    },
    ofType: (type: string): readonly AuditEvent[] => Object.freeze(events.filter((e) => e.type === type)),
  });
}
