/**
 * The engine's resolved configuration and per-instance identity, shared by its modules.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { CemArgumentError, CemEngineError, isCemError } from '../errors.js';
import type { CemZone } from '../messages/datetime.js';
import type { CemTransferEncoding, ParseCemEntityOptions } from '../messages/entity/types.js';
import type { CemPorts } from '../ports/ports.js';
import type { CemSettings } from '../state/model.js';
import { createInitialState } from '../state/transition.js';
import { describeError } from './port-calls.js';

/**
 * Options of `createCemEngine`. Every field is optional.
 *
 * @example
 * ```ts
 * const config: CemEngineConfig = { engineId: 'as2-node-1', settings: { autoAccept: true }, zone: { timeZone: 'Europe/Berlin' } }
 * ```
 */
export interface CemEngineConfig {
  /** Names this node in outbox claims (a random id by default). */
  readonly engineId?: string;
  /** Settings in force until the administrator changes them (`updateSettings`). */
  readonly settings?: Partial<CemSettings>;
  /** Zone of the dates written in CEM documents (UTC by default). */
  readonly zone?: CemZone;
  /** Transfer encoding of CEM parts (`base64` by default). */
  readonly transferEncoding?: CemTransferEncoding;
  /** Send certificates whose chain stops below a self-signed root (default true). */
  readonly allowIncompleteChain?: boolean;
  /**
   * How long a claim on an outbox entry holds, in ms (default 5 minutes). Another node takes an
   * entry over only once its claim ran out. The claim is renewed to a full lease before each port
   * call that performs an entry, and every `leaseMs / 3` during the call when the clock port has
   * `setTimer` (`systemClock` has). So a node is never overtaken while it is alive and reaches
   * its store; with a clock without timers, only while each port call returns within `leaseMs`.
   * Beyond that the effect may be performed by two nodes: the same byte-identical message twice,
   * or the same server certificate installed twice, with one result recorded.
   */
  readonly leaseMs?: number;
  /** Wait before trying a failed notice or install again, in ms (default 5 minutes). */
  readonly retryDelayMs?: number;
  /** How often a store conflict is retried from fresh state (default 10). */
  readonly maxConflictRetries?: number;
  /** Limits for parsing inbound CEM entities. */
  readonly parse?: ParseCemEntityOptions;
  /**
   * How many certificates `resolve` keeps decoded in memory (least recently used first out;
   * default 2048, about 3 MB). Our own certificates, shared by every partner, stay cached.
   */
  readonly materialCacheSize?: number;
}

/** What every engine module needs. */
export interface EngineContext {
  readonly ports: CemPorts;
  readonly settings: Partial<CemSettings>;
  readonly zone: CemZone | undefined;
  readonly transferEncoding: CemTransferEncoding | undefined;
  readonly allowIncompleteChain: boolean;
  readonly leaseMs: number;
  readonly retryDelayMs: number;
  readonly maxConflictRetries: number;
  readonly parse: ParseCemEntityOptions;
  readonly materialCacheSize: number;
  /** This instance's claimant id: the engine id plus a per-instance nonce. */
  readonly claimant: string;
  /** The engine id (claims by this id with another nonce are a previous run's: taken over at once). */
  readonly engineId: string;
  /** A new id for the outbox entries of one commit attempt. */
  nextOpId(now: Date): string;
  /** True once the store's layout version was checked. */
  layoutChecked(): boolean;
  markLayoutChecked(): void;
  /** True on the first call only: the first outbox drain of this instance. */
  firstDrain(): boolean;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new CemArgumentError(`${name} must be a positive number`);
  return value;
}

/**
 * Resolves a configuration.
 *
 * @example
 * ```ts
 * const ctx = createContext(ports, { engineId: 'node-1' })
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for an invalid option or setting.
 */
export function createContext(ports: CemPorts, config: CemEngineConfig = {}): EngineContext {
  const engineId = config.engineId ?? randomUUID();
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(engineId)) throw new CemArgumentError('engineId must be 1-64 of A-Z a-z 0-9 . _ -');
  createInitialState(config.settings ?? {}); // refuses unknown or out-of-range settings now, not on every operation
  const claimant = `${engineId}.${randomUUID().slice(0, 8)}`;
  let counter = 0;
  let checked = false;
  let drained = false;
  return Object.freeze({
    firstDrain: (): boolean => {
      const first = !drained;
      drained = true;
      return first;
    },
    engineId,
    layoutChecked: (): boolean => checked,
    markLayoutChecked: (): void => {
      checked = true;
    },
    ports,
    settings: config.settings ?? {},
    zone: config.zone,
    transferEncoding: config.transferEncoding,
    allowIncompleteChain: config.allowIncompleteChain ?? true,
    leaseMs: positive(config.leaseMs, 5 * 60_000, 'leaseMs'),
    retryDelayMs: positive(config.retryDelayMs, 5 * 60_000, 'retryDelayMs'),
    maxConflictRetries: Math.floor(positive(config.maxConflictRetries, 10, 'maxConflictRetries')),
    parse: config.parse ?? {},
    materialCacheSize: Math.floor(positive(config.materialCacheSize, 2048, 'materialCacheSize')),
    claimant,
    nextOpId: (now: Date): string => `${String(now.getTime()).padStart(15, '0')}-${claimant}-${String(++counter).padStart(6, '0')}`,
  });
}

/**
 * Runs a store call, passing `CEM_STORE_CONFLICT` and `CEM_PORT_FAILED` (a port failure already
 * named, e.g. by the id port inside the call) through and wrapping any other failure as
 * `CEM_PORT_FAILED`.
 *
 * @example
 * ```ts
 * const rec = await storeCall(() => store.get('settings'))
 * ```
 * @throws CemEngineError `CEM_STORE_CONFLICT` or `CEM_PORT_FAILED`.
 */
export async function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isCemError(error, 'CEM_STORE_CONFLICT') || isCemError(error, 'CEM_PORT_FAILED')) throw error;
    throw new CemEngineError('CEM_PORT_FAILED', `store failed: ${describeError(error)}`, { cause: error });
  }
}
