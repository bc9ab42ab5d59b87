/**
 * A full set of in-memory ports, for tests and examples.
 *
 * @module
 */
import type { CemPorts } from '../ports/ports.js';
import { createManualClock } from './manual-clock.js';
import type { ManualClock } from './manual-clock.js';
import { createMemoryAuditSink } from './memory-audit.js';
import type { MemoryAuditSink } from './memory-audit.js';
import { createMemoryNotifier } from './memory-notifier.js';
import type { MemoryNotifier } from './memory-notifier.js';
import { createMemoryStore } from './memory-store.js';
import type { MemoryStore } from './memory-store.js';
import { createMemoryTransport } from './memory-transport.js';
import type { MemoryTransport } from './memory-transport.js';
import { createSequentialIds } from './sequential-ids.js';
import type { SequentialIdsOptions } from './sequential-ids.js';

/**
 * {@link CemPorts} whose members keep their test handles (`snapshot`, `advance`, `requests`, ...).
 *
 * @example
 * ```ts
 * const ports: MemoryPorts = createMemoryPorts({ start: new Date('2025-01-01T00:00:00Z') })
 * ports.clock.advance({ days: 1 })
 * ports.transport.requests.length
 * ```
 */
export interface MemoryPorts extends CemPorts {
  readonly clock: ManualClock;
  readonly store: MemoryStore;
  readonly transport: MemoryTransport;
  readonly notifier: MemoryNotifier;
  readonly audit: MemoryAuditSink;
}

/**
 * Options of {@link createMemoryPorts}.
 *
 * @example
 * ```ts
 * createMemoryPorts({ start, ids: { prefix: 'node-b' }, store: sharedStore })
 * ```
 */
export interface MemoryPortsOptions {
  /** The manual clock's start. */
  readonly start: Date;
  /** Id prefix and domain. */
  readonly ids?: SequentialIdsOptions;
  /**
   * A store to use instead of a new one: give two engines the same store to play two cluster
   * nodes.
   */
  readonly store?: MemoryStore;
}

/**
 * Creates a manual clock, sequential ids, a memory store, transport, notifier and audit sink.
 *
 * @example
 * ```ts
 * const ports = createMemoryPorts({ start: new Date('2025-01-01T00:00:00Z') })
 * const nodeB = createMemoryPorts({ start: ports.clock.now(), store: ports.store, ids: { prefix: 'b' } })
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for an invalid start date or id options.
 */
export function createMemoryPorts(options: MemoryPortsOptions): MemoryPorts {
  return Object.freeze({
    clock: createManualClock(options.start),
    ids: createSequentialIds(options.ids),
    store: options.store ?? createMemoryStore(),
    transport: createMemoryTransport(),
    notifier: createMemoryNotifier(),
    audit: createMemoryAuditSink(),
  });
}
