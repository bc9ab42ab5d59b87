/**
 * An in-memory {@link CemTransport} that records what the engine sends and fails on demand.
 *
 * @module
 */
import { CemArgumentError } from '../errors.js';
import type { CemTransport, OutboundCemRequest, OutboundCemResponse, OutboundEmail } from '../ports/transport.js';

/**
 * One send attempt, in the order the transport saw them.
 *
 * @example
 * ```ts
 * transport.failWhen((e: MemoryTransportEntry) => e.kind === 'email')
 * ```
 */
export type MemoryTransportEntry =
  | { readonly kind: 'request'; readonly message: OutboundCemRequest }
  | { readonly kind: 'response'; readonly message: OutboundCemResponse }
  | { readonly kind: 'email'; readonly email: OutboundEmail };

/**
 * A failed attempt and the error it threw.
 *
 * @example
 * ```ts
 * const [first]: readonly MemoryTransportFailure[] = transport.failures
 * first?.entry.kind // 'request'
 * ```
 */
export interface MemoryTransportFailure {
  readonly entry: MemoryTransportEntry;
  readonly error: unknown;
}

/**
 * A recording transport with failure switches. Every method of `CemTransport` is present.
 *
 * @example
 * ```ts
 * const transport: MemoryTransport = createMemoryTransport()
 * transport.failNext(2, new Error('partner down'))
 * ```
 */
export interface MemoryTransport extends Required<CemTransport> {
  /** Requests sent successfully (copies; bodies copied too). */
  readonly requests: readonly OutboundCemRequest[];
  /** Responses sent successfully. */
  readonly responses: readonly OutboundCemResponse[];
  /** E-mails sent successfully. */
  readonly emails: readonly OutboundEmail[];
  /** Every successful send, in order. */
  readonly sent: readonly MemoryTransportEntry[];
  /** Every failed attempt, in order. */
  readonly failures: readonly MemoryTransportFailure[];
  /** The next `count` sends (any kind) reject with `error` (a plain `Error` by default). */
  failNext(count: number, error?: unknown): void;
  /** Sends for which `predicate` is true reject (`true`: a plain `Error`; an `Error`: that one). `null` clears it. */
  failWhen(predicate: ((entry: MemoryTransportEntry) => boolean | Error) | null): void;
  /** Forgets recorded sends and failure switches. */
  reset(): void;
}

function copyEntry(entry: MemoryTransportEntry): MemoryTransportEntry {
  switch (entry.kind) {
    case 'request':
    case 'response':
      return Object.freeze({ kind: entry.kind, message: Object.freeze({ ...entry.message, body: entry.message.body.slice() }) }) as MemoryTransportEntry;
    case 'email': {
      const e = entry.email;
      const to = typeof e.to === 'string' ? e.to : Object.freeze([...e.to]);
      const attachments = Object.freeze(e.attachments.map((a) => Object.freeze({ ...a, content: a.content.slice() })));
      return Object.freeze({ kind: 'email', email: Object.freeze({ ...e, to, attachments }) });
    }
  }
}

/**
 * Creates a transport that records sends in arrays and fails when switched to.
 *
 * @example
 * ```ts
 * const transport = createMemoryTransport()
 * transport.failNext(1)                  // the next send rejects
 * await engine.tick()                    // ...and the engine keeps it in its outbox
 * transport.requests[0]?.requestId       // after the retry
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` from `failNext` for a negative or fractional count.
 */
export function createMemoryTransport(): MemoryTransport {
  const requests: OutboundCemRequest[] = [];
  const responses: OutboundCemResponse[] = [];
  const emails: OutboundEmail[] = [];
  const sent: MemoryTransportEntry[] = [];
  const failures: MemoryTransportFailure[] = [];
  let failCount = 0;
  let failError: unknown;
  let predicate: ((entry: MemoryTransportEntry) => boolean | Error) | null = null;

  function failureFor(entry: MemoryTransportEntry): unknown {
    if (failCount > 0) {
      failCount--;
      return failError ?? new Error(`memory transport: simulated failure of a ${entry.kind}`);
    }
    const verdict = predicate?.(entry) ?? false;
    if (verdict instanceof Error) return verdict;
    return verdict ? new Error(`memory transport: ${entry.kind} refused by failWhen`) : undefined;
  }

  async function send(raw: MemoryTransportEntry): Promise<void> {
    const entry = copyEntry(raw);
    const error = failureFor(entry);
    if (error !== undefined) {
      failures.push(Object.freeze({ entry, error }));
      throw error;
    }
    sent.push(entry);
    if (entry.kind === 'request') requests.push(entry.message);
    else if (entry.kind === 'response') responses.push(entry.message);
    else emails.push(entry.email);
  }

  return Object.freeze({
    requests,
    responses,
    emails,
    sent,
    failures,
    sendRequest: (message: OutboundCemRequest) => send({ kind: 'request', message }),
    sendResponse: (message: OutboundCemResponse) => send({ kind: 'response', message }),
    sendEmail: (email: OutboundEmail) => send({ kind: 'email', email }),
    failNext(count: number, error?: unknown): void {
      if (!Number.isSafeInteger(count) || count < 0) throw new CemArgumentError('failNext: count must be a whole number');
      failCount = count;
      failError = error;
    },
    failWhen(next: ((entry: MemoryTransportEntry) => boolean | Error) | null): void {
      predicate = next;
    },
    reset(): void {
      for (const list of [requests, responses, emails, sent, failures]) list.length = 0;
      failCount = 0;
      failError = undefined;
      predicate = null;
    },
  });
}
