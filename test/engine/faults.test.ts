/**
 * Fault injection: the store and the transport (and notifier, audit, installer) of both partners
 * fail at every k-th port call, by throwing or by crashing the engine instance (possibly after the
 * call completed). The host restarts a crashed engine on the same store and repeats the call.
 * After enough ticks every scenario must end in the same state as its fault-free run, with no
 * certificate lost and no two different bodies sent for one request.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CemEngine } from '../../src/engine/engine.js';
import type { CemEngineConfig } from '../../src/engine/context.js';
import type { CemState, CertSlot } from '../../src/state/model.js';
import type { TestCert } from '../helpers/pki.js';
import { createInjector, prng, resilient, type FaultPlan, type Injector } from './faults.js';
import { createNetwork, createParty, newClock, source, twoPartnerPki, type Network, type Party } from './harness.js';

type Pki = ReturnType<typeof twoPartnerPki>;
let pki: Pki;
let s1: TestCert;
let s2: TestCert;
beforeAll(() => {
  pki = twoPartnerPki();
  s1 = pki.alpha.leaf({ subject: '/O=Alpha/CN=alpha.test', extendedKeyUsage: 'serverAuth' });
  s2 = pki.alpha.leaf({ subject: '/O=Alpha/CN=alpha.test 2', extendedKeyUsage: 'serverAuth' });
});

interface Run {
  readonly a: Party;
  readonly b: Party;
  readonly net: Network;
  act<T>(party: Party, fn: (engine: CemEngine) => Promise<T>): Promise<T>;
}

interface Scenario {
  readonly name: string;
  readonly a?: CemEngineConfig;
  readonly b?: CemEngineConfig;
  readonly features?: string;
  script(run: Run): Promise<void>;
  /** Port methods besides the store and notifier whose failures the targeted runs try. */
  readonly sites: readonly string[];
  /** What the administrators do whenever they look (every recovery round). */
  admin?(run: Run): Promise<void>;
}

async function acceptPending(run: Run, party: Party): Promise<void> {
  const state = await run.act(party, (e) => e.inspect());
  for (const ex of Object.values(state.inbound)) {
    if (ex.status !== 'awaitingDecision') continue;
    const decisions = ex.items.filter((i) => i.decision === 'pending').map((i) => ({ fingerprint: i.cert.fingerprint, accept: true }));
    if (decisions.length > 0) await run.act(party, (e) => e.respond(ex.key, decisions));
  }
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'one-way rollover with a manual accept',
    sites: ['transport.sendRequest', 'transport.sendResponse'],
    async script(run) {
      await run.act(run.a, (e) => e.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') }));
      await run.net.deliver();
      await acceptPending(run, run.b);
      await run.net.deliver();
    },
    admin: (run) => acceptPending(run, run.b),
  },
  {
    name: 'two-way rollover with auto-accept',
    sites: ['transport.sendRequest', 'transport.sendResponse'],
    a: { settings: { autoAccept: true } },
    b: { settings: { autoAccept: true } },
    async script(run) {
      await run.act(run.a, (e) => e.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') }));
      await run.act(run.b, (e) => e.sendCertificates('alpha', { signing: source(pki.b2, pki.beta, 'key:b2') }));
      await run.net.deliver();
    },
  },
  {
    name: 'email to a partner without CEM, then set as active',
    sites: ['transport.sendEmail'],
    features: 'multiple-attachments',
    async script(run) {
      await run.act(run.a, (e) => e.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') }));
      await run.act(run.a, (e) => e.setActive('beta', 'local', 'signing'));
      await run.act(run.a, (e) => e.setActive('beta', 'local', 'encryption'));
    },
  },
  {
    name: 'server certificate rollover installed through the installer',
    sites: ['transport.sendRequest', 'transport.sendResponse', 'servers.install'],
    b: { settings: { autoAccept: true } },
    async script(run) {
      await run.act(run.a, (e) => e.configureServer('HTTP', source(s1, pki.alpha, 'tls:s1')));
      await run.act(run.a, (e) => e.sendCertificates('beta', { signing: source(pki.a1, pki.alpha, `key:${pki.a1.serial}`), tlsServer: source(s2, pki.alpha, 'tls:s2') }));
      await run.net.deliver();
    },
  },
];

const fps = (slot: CertSlot): unknown => ({
  active: slot.active.map((x) => x.cert.fingerprint),
  successor: slot.successor === null ? null : `${slot.successor.cert.fingerprint}:${slot.successor.status}`,
  archive: slot.archive.map((x) => x.cert.fingerprint).sort(),
});

/** The state without timestamps, attempts, errors, ids and alert bookkeeping. */
function project(state: CemState): unknown {
  return {
    relationships: Object.values(state.relationships).sort((x, y) => x.id.localeCompare(y.id)).map((r) => ({
      id: r.id,
      cem: r.cem.observed,
      local: Object.fromEntries(Object.entries(r.local).map(([u, s]) => [u, fps(s)])),
      partner: Object.fromEntries(Object.entries(r.partner).map(([u, s]) => [u, fps(s)])),
      server: r.serverReadiness === null ? null : `${r.serverReadiness.fingerprint}:${r.serverReadiness.status}`,
    })),
    servers: Object.values(state.servers).map((s) => ({ protocol: s?.protocol, installed: s?.installed?.cert.fingerprint ?? null, candidate: s?.candidate?.cert.fingerprint ?? null, archive: s?.archive.map((x) => x.cert.fingerprint).sort() })),
    outbound: Object.values(state.outbound).map((x) => `${x.relationshipId}:${x.channel}:${x.status}:${x.items.map((i) => `${i.fingerprint}=${i.status}`).join(',')}`).sort(),
    inbound: Object.values(state.inbound).map((x) => `${x.relationshipId}:${x.status}:${x.items.map((i) => `${i.cert.fingerprint}=${i.decision}`).join(',')}`).sort(),
  };
}

function referenced(state: CemState): Set<string> {
  const out = new Set<string>();
  const slot = (s: CertSlot): void => {
    for (const a of s.active) out.add(a.cert.fingerprint);
    if (s.successor) out.add(s.successor.cert.fingerprint);
    for (const a of s.archive) out.add(a.cert.fingerprint);
  };
  for (const r of Object.values(state.relationships)) {
    Object.values(r.local).forEach(slot);
    Object.values(r.partner).forEach(slot);
  }
  for (const s of Object.values(state.servers)) {
    if (s?.installed) out.add(s.installed.cert.fingerprint);
    if (s?.candidate) out.add(s.candidate.cert.fingerprint);
  }
  return out;
}

interface Outcome {
  readonly projection: unknown;
  readonly requestIds: readonly string[];
  readonly injected: number;
}

async function runScenario(scenario: Scenario, plans: { a: FaultPlan; b: FaultPlan } | null): Promise<Outcome> {
  const clock = newClock();
  const injectors = new Map<string, Injector>();
  const party = (name: string, config: CemEngineConfig | undefined, plan: FaultPlan | undefined): Party => {
    const injector = plan === undefined ? undefined : createInjector(plan);
    if (injector) injectors.set(name, injector);
    return createParty({ name, clock, config: { leaseMs: 5 * 60_000, ...config }, ...(injector ? { wrap: injector.wrap } : {}) });
  };
  const a = party('ALPHA', scenario.a, plans?.a);
  const b = party('BETA', scenario.b, plans?.b);
  const act = <T>(p: Party, fn: (engine: CemEngine) => Promise<T>): Promise<T> => {
    const injector = injectors.get(p.name);
    return injector === undefined ? fn(p.engine) : resilient(p, injector, fn);
  };
  for (const [self, own, ownPki, other, theirs, theirPki] of [[a, pki.a1, pki.alpha, b, pki.b1, pki.beta], [b, pki.b1, pki.beta, a, pki.a1, pki.alpha]] as const) {
    const result = await act(self, (e) => e.addRelationship({
      id: other.host, localName: self.name, partnerName: other.name, protocol: 'AS2', responseUrl: `https://${self.host}.test/as2`, partnerEmail: `edi@${other.host}.test`,
      local: { signing: source(own, ownPki, `key:${own.serial}`), encryption: source(own, ownPki, `key:${own.serial}`) },
      partner: { signing: source(theirs, theirPki), encryption: source(theirs, theirPki) },
    }));
    expect(result.applied || result.refusal?.reason === 'duplicate').toBe(true);
  }
  const net = createNetwork([a, b], scenario.features, act);
  const run: Run = { a, b, net, act };
  await net.payload(a, b);
  await net.payload(b, a);
  await scenario.script(run);
  for (let round = 0; round < 40; round++) {
    clock.advance({ minutes: 10 });
    for (const p of [a, b]) await act(p, (e) => e.tick());
    await net.deliver();
    await scenario.admin?.(run);
    for (const p of [a, b]) {
      const state = await act(p, (e) => e.inspect());
      for (const ex of Object.values(state.outbound)) if (ex.status === 'sendFailed') await act(p, (e) => e.retry(ex.id));
      for (const ex of Object.values(state.inbound)) if (ex.status === 'responseFailed') await act(p, (e) => e.retry(ex.key));
    }
    await net.deliver();
    await net.payload(a, b);
    await net.payload(b, a);
    const quiet = [a, b].every((p) => !Object.keys(p.ports.store.snapshot()).some((k) => k.startsWith('outbox/')));
    const states = await Promise.all([a, b].map((p) => act(p, (e) => e.inspect())));
    const failed = states.some((s) => Object.values(s.outbound).some((x) => x.status === 'sendFailed' || x.status === 'sending') || Object.values(s.inbound).some((x) => x.status === 'responseFailed' || x.status === 'responding'));
    if (round >= 1 && quiet && !failed) break;
  }
  const finals: CemState[] = [];
  for (const p of [a, b]) {
    const state = await act(p, (e) => e.inspect());
    finals.push(state);
    // No lost certificate: every certificate the state refers to has its material.
    const snapshot = p.ports.store.snapshot();
    for (const fingerprint of referenced(state)) expect(snapshot[`material/${fingerprint}`], `${p.name} lost ${fingerprint}`).toBeDefined();
    // No two different bodies for one request, nor for one response.
    const bodies = new Map<string, string>();
    for (const entry of p.ports.transport.sent) {
      if (entry.kind === 'email') continue;
      const key = `${entry.kind}:${entry.message.requestId}:${entry.kind === 'response' ? entry.message.responseUrl : ''}`;
      const body = Buffer.from(entry.message.body).toString('base64');
      expect(bodies.get(key) ?? body, `${p.name} sent two different ${key}`).toBe(body);
      bodies.set(key, body);
    }
  }
  const injected = [...injectors.values()].reduce((n, i) => n + i.injected.throw + i.injected.crashBefore + i.injected.crashAfter, 0);
  const requestIds = [a, b].flatMap((p) => p.ports.transport.requests.map((r) => `${p.name}:${r.requestId}`));
  return { projection: finals.map(project), requestIds: [...new Set(requestIds)].sort(), injected };
}

const KS = [2, 3, 5, 8, 13];
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const MODES = ['throw', 'crashBefore', 'crashAfter'] as const;
const COMMON_SITES = ['store.commit', 'store.get', 'store.list', 'notifier.notify'];

describe.each(SCENARIOS)('fault injection: $name', (scenario) => {
  let expected: Outcome;
  beforeAll(async () => {
    expected = await runScenario(scenario, null);
  });

  it('runs fault-free to a settled state', () => {
    expect(expected.requestIds.length + (scenario.features === undefined ? 0 : 1)).toBeGreaterThan(0);
  });

  it.each(KS)('reaches the fault-free state with a fault at every %i-th port call', async (k) => {
    let injected = 0;
    for (const seed of SEEDS) {
      // Four faults k calls apart, starting anywhere in the run (the runs make 250-400 port calls).
      const plan = (s: number): FaultPlan => ({ k, offset: 1 + Math.floor(prng(s * 1009 + k)() * 300), count: 4, seed: s * 31 + k });
      const outcome = await runScenario(scenario, { a: plan(seed), b: plan(seed + 100) });
      expect(outcome.projection, `seed ${seed}`).toEqual(expected.projection);
      // Ids drawn by an attempt that failed are never used, so compare how many requests each side sent.
      const perParty = (ids: readonly string[]): string[] => ids.map((id) => id.split(':')[0] ?? '');
      expect(perParty(outcome.requestIds), `seed ${seed}: distinct requests`).toEqual(perParty(expected.requestIds));
      injected += outcome.injected;
    }
    expect(injected).toBeGreaterThan(0);
  });

  it.each([...COMMON_SITES, ...scenario.sites])('reaches the fault-free state when a %s call fails (each mode, calls 1-3, either side)', async (site) => {
    let injected = 0;
    for (const mode of MODES) {
      for (const occurrence of [1, 2, 3]) {
        for (const side of ['a', 'b'] as const) {
          const target: FaultPlan = { k: 1, offset: 1, count: 1, seed: occurrence, target: { site, occurrence, mode } };
          const calm: FaultPlan = { k: 1, offset: 1, count: 0, seed: 0 };
          const outcome = await runScenario(scenario, side === 'a' ? { a: target, b: calm } : { a: calm, b: target });
          const label = `${mode} at ${side}'s ${site} #${occurrence}`;
          expect(outcome.projection, label).toEqual(expected.projection);
          injected += outcome.injected;
        }
      }
    }
    expect(injected, `no ${site} call was made`).toBeGreaterThan(0);
  });

});
