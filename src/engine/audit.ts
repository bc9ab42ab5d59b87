/**
 * The audit trail: every event the engine applies and every effect it stores or performs, as JSON,
 * through the optional audit port. A failing audit sink never stops the engine.
 *
 * @module
 */
import type { JsonValue } from '../ports/json.js';
import type { CemPorts } from '../ports/ports.js';
import { isRecord } from '../state/validate.js';
import { clockNow } from './port-calls.js';

/**
 * A JSON view of any event or effect: dates as ISO strings, certificates as fingerprint and
 * subject, bytes as their length, nothing deeper than a few levels.
 *
 * @example
 * ```ts
 * auditJson({ at: new Date(0), der: new Uint8Array(3) }) // { at: '1970-01-01T00:00:00.000Z', der: { bytes: 3 } }
 * ```
 * @throws never.
 */
export function auditJson(value: unknown, depth = 0): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.toISOString() : 'Invalid Date';
  if (value instanceof Uint8Array) return { bytes: value.byteLength };
  if (depth > 6) return '…';
  if (Array.isArray(value)) return value.slice(0, 50).map((v: unknown) => auditJson(v, depth + 1));
  if (isRecord(value)) {
    if (typeof value['sha256'] === 'string' && value['der'] instanceof Uint8Array) {
      return { fingerprint: value['sha256'], subject: String(value['subject']), serial: String(value['serial']) };
    }
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined && typeof v !== 'function') out[k] = auditJson(v, depth + 1);
    return out;
  }
  return String(value);
}

/**
 * Records one audit event, stamped with the clock port's time read like every other engine read
 * (`clockNow`: a clock that throws or answers an invalid `Date` is a failed port). The audit trail
 * is best effort and never breaks an operation: the audit records of an operation are written
 * after its commit, so a failure there (the sink, or the clock when stamping the event) loses
 * that one audit event, never the state change it describes, and throws nothing.
 *
 * @example
 * ```ts
 * await audit(ports, 'event', { type: 'tick' })
 * ```
 * @throws never.
 */
export async function audit(ports: CemPorts, type: string, data: unknown): Promise<void> {
  if (ports.audit === undefined) return;
  try {
    const at = clockNow(ports);
    const json = auditJson(data);
    await ports.audit.record({ at, type, data: isRecord(json) ? (json as Record<string, JsonValue>) : { value: json } });
  } catch {
    // Best effort: a failed sink or clock loses this audit event, not the state change it describes.
  }
}
