/**
 * Fault injection. Every party's ports fail on separate schedules during the scripted phase of a
 * scenario (its script, then three rounds of the hosts' routine): the store at every k-th store
 * call, the transport at every k-th send, the notifier, the installer and the audit sink at every
 * k-th call of theirs, each fault by throwing or by crashing the engine (the rest of the
 * operation is lost; the host restarts the engine on the same store and repeats the call), before
 * or after the call. Then fault-free recovery rounds (ticks, deliveries, the administrators'
 * routine, retries) run until a round changes nothing. Ten scenarios, five fault profiles, ten
 * seeds each; the last test checks that every port method failed in every mode.
 *
 * Every run must end where the scenario's fault-free run ends: the same state (certificates,
 * exchanges, servers), no certificate material lost, no alert lost (every dedupe key notified
 * in the fault-free run is notified at least once), no two different requests where the
 * fault-free run sent one (never more requestIds than the fault-free run), and every resend
 * byte-identical.
 */
import type { StoreListOptions } from '../../src/ports/store.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CemEngine } from '../../src/engine/engine.js';
import type { CemEngineConfig } from '../../src/engine/context.js';
import type { ScheduleInput } from '../../src/engine/types.js';
import type { CemPorts } from '../../src/ports/ports.js';
import type { CemState, CertSlot, ServerProtocol } from '../../src/state/model.js';
import type { ListenerAggregate, RelationshipAggregate } from '../../src/engine/aggregates.js';
import { keys } from '../../src/engine/keys.js';
import { nameEntry } from '../../src/state/indexes/name-entry.js';
import { tallyOf } from '../../src/state/indexes/listener-tally.js';
import type { ManualClock } from '../../src/testing/index.js';
import { makePki, type TestCert, type TestPki } from '../helpers/pki.js';
import { createInjector, FAULT_MODES, PORT_METHODS, type FaultPlan, type Injector, type PortGroup, resilient } from './faults.js';
import { createNetwork, createParty, fingerprint, newClock, source, twoPartnerPki, type Network, type Party } from './harness.js';

type Pki = ReturnType<typeof twoPartnerPki>;
let pki: Pki;
let gammaPki: TestPki;
let g1: TestCert;
let a3: TestCert;
let b3: TestCert;
let s1: TestCert;
let s2: TestCert;
beforeAll(() => {
  pki = twoPartnerPki();
  gammaPki = makePki('Gamma');
  g1 = gammaPki.leaf({ subject: '/O=Gamma/CN=as2 gamma 1' });
  a3 = pki.alpha.leaf({ subject: '/O=Alpha/CN=as2 alpha 3' });
  b3 = pki.beta.leaf({ subject: '/O=Beta/CN=as2 beta enc 3' });
  s1 = pki.alpha.leaf({ subject: '/O=Alpha/CN=alpha.test', extendedKeyUsage: 'serverAuth' });
  s2 = pki.alpha.leaf({ subject: '/O=Alpha/CN=alpha.test 2', extendedKeyUsage: 'serverAuth' });
});

const NO_CEM = 'multiple-attachments';
/** Rounds of ticks, deliveries, decisions and retries still run with faults after the script. */
const ARMED_ROUNDS = 3;
const DAY = 86_400_000;

interface Run {
  /** ALPHA first, then its partners. */
  readonly parties: readonly Party[];
  readonly a: Party;
  readonly b: Party;
  readonly net: Network;
  readonly clock: ManualClock;
  act<T>(party: Party, fn: (engine: CemEngine) => Promise<T>): Promise<T>;
  state(party: Party): Promise<CemState>;
  /** Scratch space of one run (ids and times the script learned). */
  readonly memo: Map<string, unknown>;
}

interface Scenario {
  readonly name: string;
  /** Partners of ALPHA besides BETA (GAMMA). */
  readonly gamma?: boolean;
  readonly config?: Readonly<Record<string, CemEngineConfig>>;
  readonly features?: string;
  script(run: Run): Promise<void>;
  /** What the administrators do whenever they look (after the script's steps and every recovery round). */
  admin?(run: Run): Promise<void>;
  /** Port methods this scenario's fault-free run must call. */
  readonly calls: readonly string[];
}

/** Decides every pending certificate of every received Request of `party`, one `respond` call per certificate. */
async function decidePending(run: Run, party: Party, decide: (fingerprint: string) => { accept: boolean; reason?: string } | null = () => ({ accept: true })): Promise<void> {
  const state = await run.state(party);
  for (const ex of Object.values(state.inbound)) {
    if (ex.status !== 'awaitingDecision') continue;
    for (const item of ex.items) {
      if (item.decision !== 'pending') continue;
      const decision = decide(item.cert.fingerprint);
      if (decision !== null) await run.act(party, (e) => e.respond(ex.key, [{ fingerprint: item.cert.fingerprint, ...decision }]));
    }
  }
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'one-way rollover with a manual accept',
    calls: ['transport.sendRequest', 'transport.sendResponse'],
    async script(run) {
      await run.act(run.a, (e) => e.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') }));
      await run.net.deliver();
      await decidePending(run, run.b);
      await run.net.deliver();
    },
    admin: (run) => decidePending(run, run.b),
  },
  {
    name: 'two-way rollover with auto-accept',
    calls: ['transport.sendRequest', 'transport.sendResponse'],
    config: { ALPHA: { settings: { autoAccept: true } }, BETA: { settings: { autoAccept: true } } },
    async script(run) {
      await run.act(run.a, (e) => e.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') }));
      await run.act(run.b, (e) => e.sendCertificates('alpha', { signing: source(pki.b2, pki.beta, 'key:b2') }));
      await run.net.deliver();
    },
  },
  {
    name: 'email to a partner without CEM, then set as active',
    calls: ['transport.sendEmail'],
    features: NO_CEM,
    async script(run) {
      await run.act(run.a, (e) => e.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') }));
      await run.act(run.a, (e) => e.setActive('beta', 'local', 'signing'));
      await run.act(run.a, (e) => e.setActive('beta', 'local', 'encryption'));
    },
  },
  {
    name: 'server certificate rollover with one partner, installed through the installer',
    calls: ['transport.sendRequest', 'transport.sendResponse', 'servers.install'],
    config: { BETA: { settings: { autoAccept: true } } },
    async script(run) {
      await run.act(run.a, (e) => e.configureServer('HTTP', source(s1, pki.alpha, 'tls:s1')));
      await run.act(run.a, (e) => e.sendCertificates('beta', { signing: source(pki.a1, pki.alpha, `key:${pki.a1.serial}`), tlsServer: source(s2, pki.alpha, 'tls:s2') }));
      await run.net.deliver();
    },
  },
  {
    name: 'respond-by expiry, then a resend the partner accepts',
    calls: ['transport.sendRequest', 'transport.sendResponse', 'notifier.notify'],
    config: { BETA: { settings: { autoAccept: true } } },
    async script(run) {
      // The partner never gets the first Request (its AS2 endpoint loses it).
      await run.act(run.a, (e) => e.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') }));
      const first = new Set(Object.keys((await run.state(run.a)).outbound));
      run.net.block((from, entry) => entry.kind === 'request' && from === run.a && first.has(entry.message.requestId));
      await run.net.deliver();
      run.clock.advance({ days: 31 });
      for (const p of run.parties) await run.act(p, (e) => e.tick());
      await resendExpired(run);
      await run.net.deliver();
    },
    admin: resendExpired,
  },
  {
    name: 'partner rejection, then a new certificate the partner accepts',
    calls: ['transport.sendRequest', 'transport.sendResponse'],
    async script(run) {
      await run.act(run.a, (e) => e.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') }));
      for (let i = 0; i < 3; i++) {
        await run.net.deliver();
        await rejectThenReplace(run);
      }
      await run.net.deliver();
    },
    admin: rejectThenReplace,
  },
  {
    name: 'scheduled certificates activated at their time, emailed to the partner',
    calls: ['transport.sendEmail', 'notifier.notify'],
    async script(run) {
      const at = new Date(run.clock.now().getTime() + 2 * DAY);
      await scheduleOnce(run, run.a, pki.a2, { relationshipId: 'beta', side: 'local', usage: 'signing', certificate: source(pki.a2, pki.alpha, 'key:a2'), activateAt: at, emailPartner: true });
      await scheduleOnce(run, run.b, pki.a2, { relationshipId: 'alpha', side: 'partner', usage: 'signing', certificate: source(pki.a2, pki.alpha), activateAt: at });
      await scheduleOnce(run, run.b, b3, { relationshipId: 'alpha', side: 'local', usage: 'encryption', certificate: source(b3, pki.beta, 'key:b3'), activateAt: at });
      await scheduleOnce(run, run.a, b3, { relationshipId: 'beta', side: 'partner', usage: 'encryption', certificate: source(b3, pki.beta), activateAt: at });
      for (let day = 0; day < 3; day++) {
        run.clock.advance({ days: 1 });
        for (const p of run.parties) await run.act(p, (e) => e.tick());
        await run.net.payload(run.a, run.b);
        await run.net.payload(run.b, run.a);
      }
    },
  },
  {
    name: 'a received Request decided manually, one certificate at a time',
    calls: ['transport.sendRequest', 'transport.sendResponse'],
    async script(run) {
      await run.act(run.b, (e) => e.sendCertificates('alpha', { signing: source(pki.b2, pki.beta, 'key:b2'), encryption: source(b3, pki.beta, 'key:b3') }));
      await run.net.deliver();
      await decideOneByOne(run);
      await run.net.deliver();
    },
    admin: decideOneByOne,
  },
  {
    name: 'TLS server certificate rollover across two partners of one listener, with install',
    gamma: true,
    calls: ['transport.sendRequest', 'transport.sendResponse', 'servers.install'],
    config: { BETA: { settings: { autoAccept: true } }, GAMMA: { settings: { autoAccept: true } } },
    async script(run) {
      await run.act(run.a, (e) => e.configureServer('HTTP', source(s1, pki.alpha, 'tls:s1')));
      for (const partner of ['beta', 'gamma']) {
        await run.act(run.a, (e) => e.sendCertificates(partner, { signing: source(pki.a1, pki.alpha, `key:${pki.a1.serial}`), tlsServer: source(s2, pki.alpha, 'tls:s2') }));
      }
      await run.net.deliver();
    },
  },
  {
    name: 'email fallback: both certificates by email, imported by the partner on a schedule, then set as active',
    calls: ['transport.sendEmail'],
    features: NO_CEM,
    async script(run) {
      const at = new Date(run.clock.now().getTime() + DAY);
      run.memo.set('at', at);
      await run.act(run.a, (e) => e.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2'), encryption: source(a3, pki.alpha, 'key:a3') }));
      await scheduleOnce(run, run.b, pki.a2, { relationshipId: 'alpha', side: 'partner', usage: 'signing', certificate: source(pki.a2, pki.alpha), activateAt: at });
      await scheduleOnce(run, run.b, a3, { relationshipId: 'alpha', side: 'partner', usage: 'encryption', certificate: source(a3, pki.alpha), activateAt: at });
      run.clock.advance({ days: 1, minutes: 1 });
      for (const p of run.parties) await run.act(p, (e) => e.tick());
      await setEmailedActive(run);
      await run.net.payload(run.a, run.b);
      await run.net.payload(run.b, run.a);
    },
    admin: setEmailedActive,
  },
];

/**
 * Schedules a certificate unless the slot already holds it (scheduled or active). A host repeats
 * an operation after a crash; repeating `schedule` itself would schedule the certificate again
 * (and e-mail it again), so the administrator's screen checks first.
 */
async function scheduleOnce(run: Run, party: Party, cert: TestCert, input: ScheduleInput): Promise<void> {
  const fp = fingerprint(cert);
  await run.act(party, async (e) => {
    const slot = (await e.inspect()).relationships[input.relationshipId]?.[input.side === 'local' ? 'local' : 'partner'][input.usage as 'signing'];
    if (slot !== undefined && (slot.successor?.cert.fingerprint === fp || slot.active.some((a) => a.cert.fingerprint === fp))) return null;
    return e.schedule(input);
  });
}

/** ALPHA's administrator resends every expired Request. */
async function resendExpired(run: Run): Promise<void> {
  for (const ex of Object.values((await run.state(run.a)).outbound)) {
    if (ex.status === 'expired') await run.act(run.a, (e) => e.resend(ex.id));
  }
}

/** BETA rejects a2 and accepts a3; ALPHA sends a3 once a2 was rejected. */
async function rejectThenReplace(run: Run): Promise<void> {
  await decidePending(run, run.b, (fp) => (fp === fingerprint(pki.a2) ? { accept: false, reason: 'key usage does not fit our policy' } : { accept: true }));
  const state = await run.state(run.a);
  const exchanges = Object.values(state.outbound);
  const rejected = exchanges.some((x) => x.status === 'rejected' && x.items.some((i) => i.fingerprint === fingerprint(pki.a2)));
  const replaced = exchanges.some((x) => x.items.some((i) => i.fingerprint === fingerprint(a3)));
  if (rejected && !replaced) await run.act(run.a, (e) => e.sendCertificates('beta', { signing: source(a3, pki.alpha, 'key:a3') }));
}

/** ALPHA accepts BETA's encryption certificate first, then rejects its signing certificate: two calls. */
async function decideOneByOne(run: Run): Promise<void> {
  await decidePending(run, run.a, (fp) => (fp === fingerprint(b3) ? { accept: true } : null));
  await decidePending(run, run.a, (fp) => (fp === fingerprint(pki.b2) ? { accept: false, reason: 'not the key ceremony we agreed' } : null));
}

/** After the agreed time, ALPHA sets its emailed certificates active. */
async function setEmailedActive(run: Run): Promise<void> {
  const at = run.memo.get('at') as Date | undefined;
  if (at === undefined || run.clock.now() < at) return;
  const rel = (await run.state(run.a)).relationships['beta'];
  for (const usage of ['signing', 'encryption'] as const) {
    const successor = rel?.local[usage].successor;
    if (successor != null && (successor.status === 'emailed' || successor.status === 'sendFailed')) await run.act(run.a, (e) => e.setActive('beta', 'local', usage));
  }
}

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

/**
 * Alert dedupe keys with run-specific ids made comparable: a requestId becomes its rank among the
 * issuer's requestIds in the final states (ids drawn by failed attempts are skipped, so the same
 * exchange has another id in another run), a Message-ID of the test network a placeholder.
 */
function alertKeys(parties: readonly Party[], finals: readonly CemState[]): Set<string> {
  const ids = new Set<string>();
  for (const state of finals) {
    for (const x of Object.values(state.outbound)) ids.add(x.id);
    for (const x of Object.values(state.inbound)) if (x.requestId !== null) ids.add(x.requestId);
  }
  const rank = new Map<string, string>();
  const byIssuer = new Map<string, string[]>();
  for (const id of [...ids].sort()) {
    const issuer = id.replace(/-req-\d+$/, '');
    const list = byIssuer.get(issuer) ?? [];
    list.push(id);
    byIssuer.set(issuer, list);
    rank.set(id, `${issuer}#${list.length}`);
  }
  const keys = new Set<string>();
  for (const p of parties) {
    for (const n of p.ports.notifier.notices) {
      const key = n.dedupeKey
        .replace(/[a-z]+-req-\d{6}/g, (id) => rank.get(id) ?? `unknown:${id}`)
        .replace(/<\d+@([a-z]+)\.test>/g, '<message@$1>');
      keys.add(`${p.name} ${key}`);
    }
  }
  return keys;
}

interface Outcome {
  readonly projection: unknown;
  readonly requests: Readonly<Record<string, number>>;
  readonly alerts: Set<string>;
  readonly calls: Set<string>;
  readonly faults: Map<string, number>;
  readonly injected: number;
}

type Plans = Readonly<Record<string, FaultPlan>>;

async function runScenario(scenario: Scenario, plans: Plans | null): Promise<Outcome> {
  const clock = newClock();
  const injectors = new Map<string, Injector>();
  const calls = new Set<string>();
  const names = ['ALPHA', 'BETA', ...(scenario.gamma ? ['GAMMA'] : [])];
  const parties = names.map((name) => {
    const plan = plans?.[name];
    const injector = plan === undefined ? undefined : createInjector(plan);
    if (injector) injectors.set(name, injector);
    return createParty({
      name, clock, config: { leaseMs: 5 * 60_000, ...scenario.config?.[name] },
      wrap: (ports) => (injector ? injector.wrap(recording(ports, calls)) : recording(ports, calls)),
    });
  });
  const [a, b] = parties as [Party, Party];
  const act = <T>(p: Party, fn: (engine: CemEngine) => Promise<T>): Promise<T> => {
    const injector = injectors.get(p.name);
    return injector === undefined ? fn(p.engine) : resilient(p, injector, fn);
  };
  const certs: Record<string, { cert: TestCert; pki: TestPki }> = { ALPHA: { cert: pki.a1, pki: pki.alpha }, BETA: { cert: pki.b1, pki: pki.beta }, GAMMA: { cert: g1, pki: gammaPki } };
  for (const other of parties.slice(1)) {
    for (const [self, peer] of [[a, other], [other, a]] as const) {
      const own = certs[self.name]!;
      const theirs = certs[peer.name]!;
      await act(self, (e) => e.addRelationship({
        id: peer.host, localName: self.name, partnerName: peer.name, protocol: 'AS2', responseUrl: `https://${self.host}.test/as2`, partnerEmail: `edi@${peer.host}.test`,
        local: { signing: source(own.cert, own.pki, `key:${own.cert.serial}`), encryption: source(own.cert, own.pki, `key:${own.cert.serial}`) },
        partner: { signing: source(theirs.cert, theirs.pki), encryption: source(theirs.cert, theirs.pki) },
      }));
    }
  }
  const net = createNetwork(parties, scenario.features, act);
  const run: Run = { parties, a, b, net, clock, act, state: (p) => act(p, (e) => e.inspect()), memo: new Map() };
  for (const other of parties.slice(1)) {
    await net.payload(a, other);
    await net.payload(other, a);
  }

  // The scripted phase, with faults: the script, then three rounds of the hosts' routine.
  for (const injector of injectors.values()) injector.arm(true);
  await scenario.script(run);
  let previous = '';
  for (let round = 0; round < 40 + ARMED_ROUNDS; round++) {
    // Then fault-free recovery, until a round changes nothing.
    if (round === ARMED_ROUNDS) for (const injector of injectors.values()) injector.arm(false);
    clock.advance({ minutes: 10 });
    for (const p of parties) await act(p, (e) => e.tick());
    await net.deliver();
    await scenario.admin?.(run);
    for (const p of parties) {
      const state = await run.state(p);
      for (const ex of Object.values(state.outbound)) if (ex.status === 'sendFailed') await act(p, (e) => e.retry(ex.id));
      for (const ex of Object.values(state.inbound)) if (ex.status === 'responseFailed') await act(p, (e) => e.retry(ex.key));
    }
    await net.deliver();
    for (const other of parties.slice(1)) {
      await net.payload(a, other);
      await net.payload(other, a);
    }
    const quiet = parties.every((p) => !Object.keys(p.ports.store.snapshot()).some((k) => k.startsWith('outbox/')));
    const states = await Promise.all(parties.map((p) => run.state(p)));
    const busy = states.some((s) => Object.values(s.outbound).some((x) => x.status === 'sendFailed' || x.status === 'sending') || Object.values(s.inbound).some((x) => x.status === 'responseFailed' || x.status === 'responding'));
    const settled = JSON.stringify(states.map(project));
    if (round > ARMED_ROUNDS && quiet && !busy && settled === previous) break;
    previous = settled;
  }

  const finals: CemState[] = [];
  const requests: Record<string, number> = {};
  for (const p of parties) {
    const state = await run.state(p);
    finals.push(state);
    // No lost certificate: every certificate the state refers to has its material.
    const snapshot = p.ports.store.snapshot();
    for (const fp of referenced(state)) expect(snapshot[`material/${fp}`], `${p.name} lost ${fp}`).toBeDefined();
    // The name index follows its relationships exactly: one entry each, at the version the aggregate knows.
    const names = Object.keys(snapshot).filter((k) => k.startsWith('name/'));
    const aggregates = Object.values(snapshot).filter((r) => r.key.startsWith('rel/')).map((r) => r.value as unknown as RelationshipAggregate);
    expect(names.length, `${p.name} name entries`).toBe(aggregates.length);
    for (const agg of aggregates) {
      const entry = snapshot[keys.name(agg.relationship.partnerName, agg.relationship.localName)];
      expect(entry?.value, `${p.name} name entry of ${agg.relationship.id}`).toEqual(nameEntry(agg.relationship));
      expect(entry?.version).toBe(agg.nameVersion ?? 1);
    }
    // Each listener's tally counts exactly its partners' marks (it stands for them in partial slices).
    for (const record of Object.values(snapshot).filter((r) => r.key.startsWith('listener/'))) {
      const listener = record.value as unknown as ListenerAggregate;
      const protocol = record.key.slice('listener/'.length) as ServerProtocol;
      expect(listener.tally, `${p.name} tally of ${protocol}`).toEqual(tallyOf(state, protocol));
    }
    // Every send of one Request (or one Response) is byte-identical.
    const bodies = new Map<string, string>();
    for (const entry of p.ports.transport.sent) {
      if (entry.kind === 'email') continue;
      const key = `${entry.kind}:${entry.message.requestId}:${entry.kind === 'response' ? entry.message.responseUrl : ''}`;
      const body = Buffer.from(entry.message.body).toString('base64');
      expect(bodies.get(key) ?? body, `${p.name} sent two different ${key}`).toBe(body);
      bodies.set(key, body);
    }
    requests[p.name] = new Set(p.ports.transport.requests.map((r) => r.requestId)).size;
    // A server certificate is only ever installed as the one the state installed.
    const installed = Object.values(state.servers).map((s) => s?.installed?.cert.fingerprint);
    for (const i of p.ports.installer.installs) expect(installed, `${p.name} installed ${i.certificate.fingerprint}`).toContain(i.certificate.fingerprint);
  }
  const faults = new Map<string, number>();
  for (const injector of injectors.values()) for (const [k, v] of injector.faults) faults.set(k, (faults.get(k) ?? 0) + v);
  return {
    projection: finals.map(project),
    requests,
    alerts: alertKeys(parties, finals),
    calls,
    faults,
    injected: [...injectors.values()].reduce((n, i) => n + i.total(), 0),
  };
}

/** Records which port methods were called (before any fault injection). */
function recording(ports: CemPorts, calls: Set<string>): CemPorts {
  const wrap = <A extends unknown[], R>(site: string, f: (...args: A) => Promise<R>) => (...args: A): Promise<R> => {
    calls.add(site);
    return f(...args);
  };
  const { store, transport, notifier, audit, servers } = ports;
  return {
    clock: ports.clock,
    ids: ports.ids,
    store: { get: wrap('store.get', (k: string) => store.get(k)), list: wrap('store.list', (p: string, r?: StoreListOptions) => store.list(p, r)), commit: wrap('store.commit', (w: Parameters<typeof store.commit>[0]) => store.commit(w)) },
    transport: {
      sendRequest: wrap('transport.sendRequest', (m: Parameters<typeof transport.sendRequest>[0]) => transport.sendRequest(m)),
      sendResponse: wrap('transport.sendResponse', (m: Parameters<typeof transport.sendResponse>[0]) => transport.sendResponse(m)),
      ...(transport.sendEmail ? { sendEmail: wrap('transport.sendEmail', (m: Parameters<NonNullable<typeof transport.sendEmail>>[0]) => transport.sendEmail!(m)) } : {}),
    },
    notifier: { notify: wrap('notifier.notify', (n: Parameters<typeof notifier.notify>[0]) => notifier.notify(n)) },
    ...(audit ? { audit: { record: wrap('audit.record', (e: Parameters<typeof audit.record>[0]) => audit.record(e)) } } : {}),
    ...(servers ? { servers: { install: wrap('servers.install', (p: Parameters<typeof servers.install>[0], c: Parameters<typeof servers.install>[1]) => servers.install(p, c)) } } : {}),
  };
}

/**
 * Fault schedules: k per port group. The store's k stays above the number of store calls of one
 * operation attempt (at most 28 in these scenarios: an operation that always meets a fault could
 * never succeed); the transport, notifier and installer fail as often as every call (a repeated
 * operation does not repeat a send its dead predecessor claimed).
 */
const PROFILES: readonly Readonly<Record<PortGroup, number>>[] = [
  { store: 29, transport: 1, notifier: 2, servers: 1, audit: 3 },
  { store: 37, transport: 2, notifier: 1, servers: 1, audit: 2 },
  { store: 53, transport: 3, notifier: 3, servers: 1, audit: 5 },
  { store: 31, transport: 1, notifier: 1, servers: 1, audit: 2 },
  { store: 41, transport: 2, notifier: 2, servers: 1, audit: 1 },
];
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

function plansFor(profile: Readonly<Record<PortGroup, number>>, seed: number, names: readonly string[]): Plans {
  return Object.fromEntries(names.map((name, i) => {
    const s = seed * 7 + i * 3;
    const schedules = Object.fromEntries(Object.entries(profile).map(([group, k], j) => [group, { k, phase: (s + j * 5) % k }]));
    return [name, { schedules, seed: s }];
  }));
}

/** Faults injected over the whole file, by `method mode`. */
const FAULTED = new Map<string, number>();

for (const scenario of SCENARIOS) describe(`fault injection: ${scenario.name}`, () => {
  let expected: Outcome;
  beforeAll(async () => {
    expected = await runScenario(scenario, null);
  });

  it('runs fault-free to a settled state, calling the ports it is meant to exercise', () => {
    for (const site of scenario.calls) expect([...expected.calls], site).toContain(site);
    expect(expected.alerts.size).toBeGreaterThan(0);
  });

  for (const [i, profile] of PROFILES.entries()) it(`reaches the fault-free state under fault profile ${i} (${Object.entries(profile).map(([g, k]) => `${g} every ${k}`).join(', ')})`, async () => {
    const names = ['ALPHA', 'BETA', ...(scenario.gamma ? ['GAMMA'] : [])];
    let injected = 0;
    for (const seed of SEEDS) {
      const outcome = await runScenario(scenario, plansFor(profile, seed, names));
      const label = `seed ${seed}`;
      expect(outcome.projection, label).toEqual(expected.projection);
      // Ids drawn by failed attempts are never used, so compare how many distinct requests each side
      // sent: never more than the fault-free run (no different request twice). Fewer is possible:
      // a Request the faults kept from ever reaching the transport before its respond-by time
      // expires undelivered and its resend supersedes it, with the same final state.
      for (const [party, count] of Object.entries(outcome.requests)) {
        expect(count, `${label}: distinct requests of ${party}`).toBeLessThanOrEqual(expected.requests[party] ?? 0);
      }
      expect(Object.keys(outcome.requests).sort(), label).toEqual(Object.keys(expected.requests).sort());
      // No lost alert: everything the fault-free run notified was notified. Extra notices come only
      // from the injected send failures, or are reminders a tick raised while an answer was still
      // held up by them.
      const missing = [...expected.alerts].filter((k) => !outcome.alerts.has(k));
      expect(missing, `${label}: alerts never notified`).toEqual([]);
      const extra = [...outcome.alerts].filter((k) => !expected.alerts.has(k) && !/^\S+ (sendFailed|retryNeeded|serverCertificatePending|requestAwaitingAnswer):/.test(k));
      expect(extra, `${label}: unexpected alerts`).toEqual([]);
      injected += outcome.injected;
      for (const [k, v] of outcome.faults) FAULTED.set(k, (FAULTED.get(k) ?? 0) + v);
    }
    expect(injected).toBeGreaterThan(0);
  });
});

describe('fault injection coverage', () => {
  it('failed every port method in every mode (throw, crash before, crash after) across the scenarios above', () => {
    if (process.env['FAULT_STATS']) console.log([...FAULTED].sort().map(([k, v]) => `${k}: ${v}`).join('\n'));
    const missing = PORT_METHODS.flatMap((m) => FAULT_MODES.map((mode) => `${m} ${mode}`)).filter((k) => !FAULTED.has(k));
    expect(missing, 'port methods never faulted').toEqual([]);
  });
});
