/**
 * Two engines on one store (two nodes of an AS2 cluster), driven concurrently with random
 * interleavings of their store calls: a request is never sent twice, an inbound message is
 * processed once, and a server certificate is installed once.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCemEngine, type CemEngine } from '../../src/engine/engine.js';
import type { CemStore } from '../../src/ports/store.js';
import {
  createManualClock, createMemoryNotifier, createMemoryStore, createMemoryTransport, createSequentialIds, type MemoryTransport,
} from '../../src/testing/index.js';
import { makePki, type TestCert, type TestPki } from '../helpers/pki.js';
import { prng } from './faults.js';
import { createInstaller, createParty, fingerprint, source, START, type Party, type RecordingInstaller } from './harness.js';

let alpha: TestPki;
let partners: TestPki;
let a1: TestCert;
let a2: TestCert;
let s1: TestCert;
let s2: TestCert;
let beta1: TestCert;
let beta2: TestCert;
let gamma1: TestCert;
beforeAll(() => {
  alpha = makePki('Alpha');
  partners = makePki('Partners');
  a1 = alpha.leaf({ subject: '/O=Alpha/CN=as2 alpha 1' });
  a2 = alpha.leaf({ subject: '/O=Alpha/CN=as2 alpha 2' });
  s1 = alpha.leaf({ subject: '/O=Alpha/CN=alpha.test', extendedKeyUsage: 'serverAuth' });
  s2 = alpha.leaf({ subject: '/O=Alpha/CN=alpha.test 2', extendedKeyUsage: 'serverAuth' });
  beta1 = partners.leaf({ subject: '/O=Beta/CN=as2 beta 1' });
  beta2 = partners.leaf({ subject: '/O=Beta/CN=as2 beta 2' });
  gamma1 = partners.leaf({ subject: '/O=Gamma/CN=as2 gamma 1' });
});

/** Version conflicts seen by the nodes' commits (proof that the runs raced). */
let conflicts = 0;

/** A store whose calls yield to other promises a random number of times first. */
function interleaved(store: CemStore, seed: number): CemStore {
  const random = prng(seed);
  const pause = async (): Promise<void> => {
    for (let i = Math.floor(random() * 4); i > 0; i--) await new Promise((r) => setImmediate(r));
  };
  return {
    get: async (k) => { await pause(); return store.get(k); },
    list: async (p, r) => { await pause(); return store.list(p, r); },
    commit: async (w) => {
      await pause();
      try {
        return await store.commit(w);
      } catch (error) {
        if ((error as { code?: string }).code === 'CEM_STORE_CONFLICT') conflicts++;
        throw error;
      }
    },
  };
}

interface Node {
  readonly engine: CemEngine;
  readonly transport: MemoryTransport;
  readonly installer: RecordingInstaller;
}

interface Cluster {
  readonly nodes: readonly [Node, Node];
  readonly beta: Party;
  readonly gamma: Party;
  readonly clock: ReturnType<typeof createManualClock>;
}

async function cluster(seed: number): Promise<Cluster> {
  const clock = createManualClock(START);
  const store = createMemoryStore();
  const node = (i: number): Node => {
    const transport = createMemoryTransport();
    const installer = createInstaller();
    const engine = createCemEngine(
      { clock, ids: createSequentialIds({ prefix: `alpha${i}`, domain: 'alpha.test' }), store: interleaved(store, seed * 10 + i), transport, notifier: createMemoryNotifier(), servers: installer },
      { engineId: `alpha-node-${i}` },
    );
    return { engine, transport, installer };
  };
  const nodes = [node(1), node(2)] as const;
  const beta = createParty({ name: 'BETA', clock, config: { settings: { autoAccept: true } } });
  const gamma = createParty({ name: 'GAMMA', clock, config: { settings: { autoAccept: true } } });
  for (const [partner, cert] of [[beta, beta1], [gamma, gamma1]] as const) {
    await nodes[0].engine.addRelationship({
      id: partner.host, localName: 'ALPHA', partnerName: partner.name, protocol: 'AS2', responseUrl: 'https://alpha.test/as2', cemOverride: 'capable',
      local: { signing: source(a1, alpha, 'key:a1'), encryption: source(a1, alpha, 'key:a1') }, partner: { signing: source(cert, partners), encryption: source(cert, partners) },
    });
    await partner.engine.addRelationship({
      id: 'alpha', localName: partner.name, partnerName: 'ALPHA', protocol: 'AS2', responseUrl: `https://${partner.host}.test/as2`, cemOverride: 'capable',
      local: { signing: source(cert, partners, 'key'), encryption: source(cert, partners, 'key') }, partner: { signing: source(a1, alpha), encryption: source(a1, alpha) },
    });
  }
  return { nodes, beta, gamma, clock };
}

const headers = (from: string, to: string, id: string): Record<string, string> => ({ 'AS2-From': from, 'AS2-To': to, 'Message-ID': id, 'EDIINT-Features': 'CEM' });

/** Every request the nodes sent, delivered once to its partner. */
async function deliverToPartners(c: Cluster): Promise<void> {
  for (const [n, node] of c.nodes.entries()) {
    for (const [i, m] of node.transport.requests.entries()) {
      const partner = m.as2To === 'BETA' ? c.beta : c.gamma;
      await partner.engine.receive({ body: { contentType: m.contentType, body: m.body }, headers: headers('ALPHA', m.as2To, `<${n}-${i}@alpha>`), verifiedBy: a1.der });
    }
  }
}

function requestsSent(c: Cluster): string[] {
  return c.nodes.flatMap((n) => n.transport.requests.map((r) => r.requestId));
}

const SEEDS = Array.from({ length: 25 }, (_, i) => i + 1);

describe('two engines on one store, driven concurrently', () => {
  it('never both send a request, whatever the interleaving', async () => {
    conflicts = 0;
    for (const seed of SEEDS) {
      const c = await cluster(seed);
      const [one, two] = c.nodes;
      const results = await Promise.all([
        one.engine.sendCertificates('beta', { signing: source(a2, alpha, 'key:a2') }),
        two.engine.sendCertificates('beta', { signing: source(a2, alpha, 'key:a2') }),
        one.engine.drainOutbox(),
        two.engine.tick(),
      ]);
      const [first, second] = results;
      expect([first.applied, second.applied].filter(Boolean), `seed ${seed}`).toHaveLength(1);
      expect([first, second].find((r) => !r.applied)?.refusal?.reason).toBe('alreadyPending');
      c.clock.advance({ minutes: 10 });
      await Promise.all([one.engine.tick(), two.engine.tick(), one.engine.drainOutbox()]);
      const sent = requestsSent(c);
      expect(sent, `seed ${seed}`).toHaveLength(1);
      expect((await one.engine.inspect()).outbound[sent[0]!]?.status).toBe('pending');
    }
    expect(conflicts).toBeGreaterThan(0);
  });

  it('processes an inbound Request that reaches both nodes once, every Response to it identical', async () => {
    for (const seed of SEEDS.slice(0, 12)) {
      const c = await cluster(seed);
      const [one, two] = c.nodes;
      await one.engine.updateSettings({ autoAccept: true });
      await c.beta.engine.sendCertificates('alpha', { signing: source(beta2, partners, 'key:b2') });
      const m = c.beta.ports.transport.requests[0]!;
      const message = (id: string) => ({ body: { contentType: m.contentType, body: m.body }, headers: headers('BETA', 'ALPHA', id), verifiedBy: beta1.der });
      const outcomes = await Promise.all([
        one.engine.receive(message('<same@beta>')),
        two.engine.receive(message('<same@beta>')),
        two.engine.receive(message('<resent@beta>')),
        one.engine.tick(),
      ]);
      const kinds = outcomes.slice(0, 3).map((o) => (o as { kind: string }).kind).sort();
      expect(kinds, `seed ${seed}`).toEqual(['duplicate', 'duplicate', 'request']);
      c.clock.advance({ minutes: 10 });
      await Promise.all([one.engine.tick(), two.engine.tick()]);
      const responses = c.nodes.flatMap((n) => n.transport.responses);
      expect(responses.length, `seed ${seed}`).toBeGreaterThanOrEqual(1);
      for (const r of responses) expect(Buffer.from(r.body).equals(Buffer.from(responses[0]!.body)), `seed ${seed}`).toBe(true);
      const state = await one.engine.inspect();
      expect(Object.values(state.inbound).map((x) => x.items.map((i) => i.decision)), `seed ${seed}`).toEqual([['accepted']]);
    }
  });

  it('never both install the server certificate, with responses and ticks racing on both nodes', async () => {
    conflicts = 0;
    for (const seed of SEEDS) {
      const c = await cluster(seed);
      const [one, two] = c.nodes;
      await one.engine.configureServer('HTTP', source(s1, alpha, 'tls:s1'));
      const selection = { signing: source(a1, alpha, 'key:a1'), tlsServer: source(s2, alpha, 'tls:s2') };
      const sends = await Promise.all([one.engine.sendCertificates('beta', selection), two.engine.sendCertificates('gamma', selection)]);
      expect(sends.every((s) => s.applied), `seed ${seed}`).toBe(true);
      await deliverToPartners(c);
      const responses = [c.beta, c.gamma].map((p) => p.ports.transport.responses[0]!);
      const from = (m: (typeof responses)[number]) => ({ body: { contentType: m.contentType, body: m.body }, headers: headers(m.as2From, 'ALPHA', `<${m.requestId}@${m.as2From}>`), verifiedBy: (m.as2From === 'BETA' ? beta1 : gamma1).der });
      await Promise.all([
        one.engine.receive(from(responses[0]!)),
        two.engine.receive(from(responses[1]!)),
        one.engine.tick(),
        two.engine.tick(),
        two.engine.receive(from(responses[0]!)),
      ]);
      c.clock.advance({ minutes: 10 });
      await Promise.all([one.engine.tick(), two.engine.tick(), one.engine.drainOutbox(), two.engine.drainOutbox()]);
      const installs = c.nodes.flatMap((n) => n.installer.installs);
      expect(installs.map((i) => i.certificate.fingerprint), `seed ${seed}`).toEqual([fingerprint(s2)]);
      const sent = requestsSent(c);
      expect(new Set(sent).size, `seed ${seed}`).toBe(sent.length);
      expect((await one.engine.resolve('gamma'))?.tlsServer?.fingerprint).toBe(fingerprint(s2));
    }
    expect(conflicts).toBeGreaterThan(0);
  });
});
