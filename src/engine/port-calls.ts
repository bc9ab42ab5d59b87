/**
 * The engine's calls of the host's clock and id ports. A port that throws, or answers with a
 * value the engine cannot use (an invalid `Date`, an id that is not a requestId or a bare
 * Content-ID), fails the operation with `CEM_PORT_FAILED` carrying the cause, before anything is
 * stored. Store calls go through `storeCall` (context.ts); transport, notifier and installer
 * failures become lifecycle events or outbox retries (perform.ts).
 *
 * @module
 */
import { CemEngineError } from '../errors.js';
import { isContentId, isRequestId } from '../ports/ids.js';
import type { CemPorts } from '../ports/ports.js';

/**
 * The error of a failed port call.
 *
 * @example
 * ```ts
 * throw portFailure('clock.now', error) // CEM_PORT_FAILED: clock.now failed: Error: NTP down
 * ```
 * @throws never (it returns the error).
 */
export function portFailure(what: string, error: unknown): CemEngineError {
  return new CemEngineError('CEM_PORT_FAILED', `${what} failed: ${describeError(error)}`, { cause: error });
}

/**
 * The current instant from the clock port.
 *
 * @example
 * ```ts
 * const now = clockNow(ctx.ports)
 * ```
 * @throws CemEngineError `CEM_PORT_FAILED` when `now()` throws or returns no valid `Date`.
 */
export function clockNow(ports: CemPorts): Date {
  let value: unknown;
  try {
    value = ports.clock.now();
  } catch (error) {
    throw portFailure('clock.now', error);
  }
  if (!(value instanceof Date) || !Number.isFinite(value.getTime())) {
    throw portFailure('clock.now', new TypeError(`expected a valid Date, got ${describeValue(value)}`));
  }
  return new Date(value.getTime());
}

/**
 * A new id from the id port: a requestId (1–255 characters, no control character) or a bare
 * Content-ID (`local@domain`).
 *
 * @example
 * ```ts
 * const requestId = drawId(ctx.ports, 'requestId')
 * ```
 * @throws CemEngineError `CEM_PORT_FAILED` when the port throws or returns an unusable id.
 */
export function drawId(ports: CemPorts, kind: 'requestId' | 'contentId'): string {
  let value: unknown;
  try {
    value = kind === 'requestId' ? ports.ids.requestId() : ports.ids.contentId();
  } catch (error) {
    throw portFailure(`ids.${kind}`, error);
  }
  if (typeof value !== 'string' || !(kind === 'requestId' ? isRequestId(value) : isContentId(value))) {
    throw portFailure(`ids.${kind}`, new TypeError(`returned an unusable ${kind}: ${describeValue(value)}`));
  }
  return value;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (value instanceof Date) return 'Invalid Date';
  return value === null ? 'null' : typeof value;
}

/**
 * Short text of any thrown value, for `lastError` fields and failure events.
 *
 * @example
 * ```ts
 * describeError(new Error('HTTP 503')) // 'Error: HTTP 503'
 * ```
 * @throws never.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const raw = (error as { code?: unknown }).code;
    const code = typeof raw === 'string' ? ` ${raw}` : '';
    return `${error.name}${code}: ${error.message}`.slice(0, 1000);
  }
  return String(error).slice(0, 1000);
}

