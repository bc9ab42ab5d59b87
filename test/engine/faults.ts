/**
 * Fault injection for engine tests: port wrappers that fail calls on separate schedules per port
 * group (the store, the transport, the notifier, the installer, the audit sink), either by
 * throwing (the call did not happen) or by "crashing": the engine instance is dead from then on
 * (every further call of it fails, as if the process died), before the call or after it
 * completed. The host restarts a dead engine on the same store.
 */
import type { StoreListOptions } from '../../src/ports/store.js';
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

export const FAULT_MODES: readonly FaultMode[] = ['throw', 'crashBefore', 'crashAfter'];

/** The port groups, each with its own call counter and fault schedule. */
export type PortGroup = 'store' | 'transport' | 'notifier' | 'servers' | 'audit';

/** Every port method the engine calls (what the fault tests must each have failed at least once). */
export const PORT_METHODS = [
  'store.get', 'store.list', 'store.commit',
  'transport.sendRequest', 'transport.sendResponse', 'transport.sendEmail',
  'notifier.notify', 'servers.install', 'audit.record',
] as const;

export type PortMethod = (typeof PORT_METHODS)[number];

/** The deterministic PRNG of the fuzzer (mulberry32), re-exported for the fault plans. */
export { prng } from '../../scripts/fuzz/mutate.js';

/** Fail the calls n (1-based, counted per group over the party's whole run) with n ≡ phase (mod k). */
export interface FaultSchedule {
  readonly k: number;
  readonly phase: number;
}

export interface FaultPlan {
  readonly schedules: Partial<Record<PortGroup, FaultSchedule>>;
  /** Offsets the mode rotation: the j-th fault of a group uses `modes[(j + seed) % modes.length]`. */
  readonly seed: number;
  readonly modes?: readonly FaultMode[];
}

export interface Injector {
  /** Wraps the ports of a new engine instance. */
  wrap(ports: CemPorts): CemPorts;
  /** True when the current instance crashed. */
  dead(): boolean;
  /** Faults are injected only while armed (the scripted phase), never during recovery. */
  arm(on: boolean): void;
  /** Faults injected so far, by `method mode` (`store.commit crashAfter`). */
  readonly faults: Map<string, number>;
  /** How many faults were injected. */
  total(): number;
  /** Calls counted so far in one group. */
  calls(group: PortGroup): number;
}

function groupOf(site: PortMethod): PortGroup {
  return site.slice(0, site.indexOf('.')) as PortGroup;
}

export function createInjector(plan: FaultPlan): Injector {
  const modes = plan.modes ?? FAULT_MODES;
  const calls: Record<PortGroup, number> = { store: 0, transport: 0, notifier: 0, servers: 0, audit: 0 };
  const faultCount: Record<PortGroup, number> = { store: 0, transport: 0, notifier: 0, servers: 0, audit: 0 };
  const faults = new Map<string, number>();
  let armed = false;
  let total = 0;
  let current = { dead: false };

  function guard<A extends unknown[], R>(instance: { dead: boolean }, site: PortMethod, call: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    const group = groupOf(site);
    return async (...args: A): Promise<R> => {
      if (instance.dead) throw new Crash('the process is dead');
      const n = ++calls[group];
      const schedule = plan.schedules[group];
      if (!armed || schedule === undefined || n % schedule.k !== schedule.phase % schedule.k) return call(...args);
      const mode = modes[(faultCount[group]++ + plan.seed) % modes.length] ?? 'throw';
      faults.set(`${site} ${mode}`, (faults.get(`${site} ${mode}`) ?? 0) + 1);
      total++;
      if (mode === 'throw') throw new InjectedFailure(`injected failure of ${site} (call ${n})`);
      if (mode === 'crashAfter') await call(...args).catch(() => undefined);
      instance.dead = true;
      throw new Crash(`crash at ${site} (call ${n}, ${mode})`);
    };
  }

  return {
    faults,
    total: () => total,
    calls: (group) => calls[group],
    dead: () => current.dead,
    arm(on) {
      armed = on;
    },
    wrap(ports) {
      const instance = { dead: false };
      current = instance;
      const { store, transport, notifier, audit, servers } = ports;
      return {
        clock: ports.clock,
        ids: ports.ids,
        store: {
          get: guard(instance, 'store.get', (k: string) => store.get(k)),
          list: guard(instance, 'store.list', (p: string, r?: StoreListOptions) => store.list(p, r)),
          commit: guard(instance, 'store.commit', (w: Parameters<typeof store.commit>[0]) => store.commit(w)),
        },
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
 * same store: the rest of the operation is lost) and call again; when a port failed, call again.
 * Other errors fail the test.
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
