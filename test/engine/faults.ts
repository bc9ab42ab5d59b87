/**
 * Fault injection for engine tests: port wrappers that fail at chosen calls, either by throwing
 * (the call did not happen) or by "crashing": the engine instance is dead from then on (every
 * further call of it fails, as if the process died), possibly after the call completed.
 */
import { isCemError } from '../../src/errors.js';
import type { CemEngine } from '../../src/engine/engine.js';
import type { CemPorts } from '../../src/ports/ports.js';
import type { Party } from './harness.js';

/** A simulated port failure. */
export class InjectedFailure extends Error {
  override readonly name = 'InjectedFailure';
}

/** A simulated process death. */
export class Crash extends Error {
  override readonly name = 'Crash';
}

export type FaultMode = 'throw' | 'crashBefore' | 'crashAfter';

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultPlan {
  /** Fault at calls offset, offset + k, offset + 2k, ... (counted over the party's whole run). */
  readonly k: number;
  readonly offset: number;
  /** How many faults at most. */
  readonly count: number;
  readonly seed: number;
  /** Which modes to draw from. */
  readonly modes?: readonly FaultMode[];
  /** Instead of every k-th call: fail exactly the n-th call of one port method, in one mode. */
  readonly target?: { readonly site: string; readonly occurrence: number; readonly mode: FaultMode };
}

export interface Injector {
  /** Wraps the ports of a new engine instance. */
  wrap(ports: CemPorts): CemPorts;
  /** True when the current instance crashed. */
  dead(): boolean;
  /** Faults injected so far, by mode. */
  readonly injected: Record<FaultMode, number>;
  /** Faults injected so far, by port method (`store.commit`, `transport.sendRequest`, ...). */
  readonly sites: Record<string, number>;
  /** Port calls counted so far. */
  calls(): number;
}

export function createInjector(plan: FaultPlan): Injector {
  const random = prng(plan.seed);
  const modes = plan.modes ?? ['throw', 'crashBefore', 'crashAfter'];
  const injected: Record<FaultMode, number> = { throw: 0, crashBefore: 0, crashAfter: 0 };
  const sites: Record<string, number> = {};
  let calls = 0;
  const siteCalls: Record<string, number> = {};
  let current = { dead: false };
  const faultAt = (n: number): boolean => n >= plan.offset && (n - plan.offset) % plan.k === 0 && (n - plan.offset) / plan.k < plan.count;

  function guard<A extends unknown[], R>(instance: { dead: boolean }, site: string, call: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return async (...args: A): Promise<R> => {
      if (instance.dead) throw new Crash('the process is dead');
      calls++;
      siteCalls[site] = (siteCalls[site] ?? 0) + 1;
      const target = plan.target;
      const hit = target === undefined ? faultAt(calls) : target.site === site && target.occurrence === siteCalls[site];
      if (!hit) return call(...args);
      const mode = target?.mode ?? modes[Math.floor(random() * modes.length)] ?? 'throw';
      injected[mode]++;
      sites[site] = (sites[site] ?? 0) + 1;
      if (mode === 'throw') throw new InjectedFailure(`injected failure at call ${calls}`);
      if (mode === 'crashAfter') await call(...args).catch(() => undefined);
      instance.dead = true;
      throw new Crash(`crash at call ${calls} (${mode})`);
    };
  }

  return {
    injected,
    sites,
    calls: () => calls,
    dead: () => current.dead,
    wrap(ports) {
      const instance = { dead: false };
      current = instance;
      const { store, transport, notifier, audit, servers } = ports;
      return {
        clock: ports.clock,
        ids: ports.ids,
        store: { get: guard(instance, 'store.get', (k: string) => store.get(k)), list: guard(instance, 'store.list', (p: string) => store.list(p)), commit: guard(instance, 'store.commit', (w: Parameters<typeof store.commit>[0]) => store.commit(w)) },
        transport: {
          sendRequest: guard(instance, 'transport.sendRequest', (m: Parameters<typeof transport.sendRequest>[0]) => transport.sendRequest(m)),
          sendResponse: guard(instance, 'transport.sendResponse', (m: Parameters<typeof transport.sendResponse>[0]) => transport.sendResponse(m)),
          ...(transport.sendEmail ? { sendEmail: guard(instance, 'transport.sendEmail', (m: Parameters<NonNullable<typeof transport.sendEmail>>[0]) => transport.sendEmail!(m)) } : {}),
        },
        notifier: { notify: guard(instance, 'notifier.notify', (n: Parameters<typeof notifier.notify>[0]) => notifier.notify(n)) },
        ...(audit ? { audit: { record: guard(instance, 'audit.record', (e: Parameters<typeof audit.record>[0]) => audit.record(e)) } } : {}),
        ...(servers ? { servers: { install: guard(instance, 'servers.install', (p: Parameters<typeof servers.install>[0], c: Parameters<typeof servers.install>[1]) => servers.install(p, c)) } } : {}),
      };
    },
  };
}

function injectedCause(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (e instanceof InjectedFailure || e instanceof Crash) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Runs one engine call as a host would: when the process died, restart it (a new engine on the
 * same store) and call again; when a port failed, call again. Other errors fail the test.
 */
export async function resilient<T>(party: Party, injector: Injector, fn: (engine: CemEngine) => Promise<T>): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      const result = await fn(party.engine);
      if (!injector.dead()) return result;
    } catch (error) {
      if (!injector.dead() && !(isCemError(error, 'CEM_PORT_FAILED') && injectedCause(error)) && !injectedCause(error)) throw error;
    }
    if (injector.dead()) party.restart();
  }
  throw new Error(`${party.name}: no progress after 200 attempts`);
}
