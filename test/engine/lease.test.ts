/**
 * Cluster exclusivity of outbox entries when a port call is slow: two engines on one store, node
 * A inside a transport (or installer, or notifier) call that does not return, node B ticking.
 *
 * The documented guarantee (docs/host-integration.md, `CemEngineConfig.leaseMs`): a node renews
 * its claim before each port call and, with clock timers, during it, so a live node is never
 * overtaken; without timers it is exclusive only while each call returns within `leaseMs`, and
 * beyond that the effect is performed by both nodes, byte-identical, with one result recorded.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCemEngine, type CemEngine } from '../../src/engine/engine.js';
import type { CemAlertNotice } from '../../src/ports/notifier.js';
import type { CemPorts } from '../../src/ports/ports.js';
import type { ServerCertificateInstall } from '../../src/ports/servers.js';
import type { OutboundCemRequest } from '../../src/ports/transport.js';
import type { ServerProtocol } from '../../src/state/model.js';
import {
  createMemoryAuditSink, createMemoryNotifier, createMemoryTransport, createSequentialIds,
  type MemoryAuditSink, type MemoryNotifier, type MemoryTransport,
} from '../../src/testing/index.js';
import { createInstaller, fingerprint, setupPair, source, twoPartnerPki, type Pair, type RecordingInstaller } from './harness.js';

type Pki = ReturnType<typeof twoPartnerPki>;
let pki: Pki;
beforeAll(() => {
  pki = twoPartnerPki();
});

/** A call that waits until released, then resolves or rejects. */
interface Gate {
  readonly entered: Promise<void>;
  open(): void;
  fail(error: Error): void;
  wait(): Promise<void>;
}

function gate(): Gate {
  let enter: () => void = () => undefined;
  let open: () => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const entered = new Promise<void>((r) => { enter = r; });
  const released = new Promise<void>((resolve, reject) => { open = resolve; fail = reject; });
  return { entered, open: () => open(), fail: (e) => fail(e), wait: () => (enter(), released) };
}

/** Lets pending promise chains (a renewal's commit) run. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Node A's ports: the pair's, with a clock that has no timers when `timers` is false. */
function nodeA(ports: CemPorts, timers: boolean, overrides: Partial<CemPorts> = {}): CemPorts {
  const clock = timers ? ports.clock : { now: () => ports.clock.now() };
  return { ...ports, clock, ...overrides };
}

interface NodeB {
  readonly engine: CemEngine;
  readonly transport: MemoryTransport;
  readonly notifier: MemoryNotifier;
  readonly installer: RecordingInstaller;
  readonly audit: MemoryAuditSink;
}

/** A second engine of ALPHA's cluster: same store and clock, its own transport, notifier and installer. */
function nodeB(pair: Pair): NodeB {
  const transport = createMemoryTransport();
  const notifier = createMemoryNotifier();
  const installer = createInstaller();
  const audit = createMemoryAuditSink();
  const engine = createCemEngine(
    { clock: pair.clock, ids: createSequentialIds({ prefix: 'alpha-b', domain: 'alpha.test' }), store: pair.a.ports.store, transport, notifier, audit, servers: installer },
    { engineId: 'alpha-node-b' },
  );
  return { engine, transport, notifier, installer, audit };
}

const outboxKeys = (pair: Pair): string[] => Object.keys(pair.a.ports.store.snapshot()).filter((k) => k.startsWith('outbox/'));

function gatedSend(ports: CemPorts, g: Gate, timers: boolean): CemPorts {
  return nodeA(ports, timers, {
    transport: { ...ports.transport, sendRequest: async (m: OutboundCemRequest) => { await g.wait(); await ports.transport.sendRequest(m); } },
  });
}

describe('a send slower than the lease, on a clock without timers', () => {
  it('is sent by the node that took the entry over too: the same request, byte-identical, recorded once', async () => {
    const g = gate();
    const pair = await setupPair(pki, { wrapA: (ports) => gatedSend(ports, g, false) });
    const b = nodeB(pair);
    const pending = pair.a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') });
    await g.entered;
    pair.clock.advance({ minutes: 4 });
    expect((await b.engine.tick()).performed).toBe(0); // the claim still runs
    pair.clock.advance({ minutes: 2 });
    expect((await b.engine.tick()).performed).toBe(1); // A's claim ran out: B takes the entry over
    expect(b.transport.requests).toHaveLength(1);
    g.open();
    const sent = await pending;
    const [ours] = pair.a.ports.transport.requests;
    const [theirs] = b.transport.requests;
    expect(ours?.requestId).toBe(sent.requestId);
    expect(theirs?.requestId).toBe(sent.requestId);
    expect(Buffer.from(theirs!.body).equals(Buffer.from(ours!.body))).toBe(true);
    expect(theirs?.contentType).toBe(ours?.contentType);
    // One result recorded (B's); A's came too late and changed nothing.
    const delivered = [...pair.a.ports.audit.ofType('event:requestDelivered'), ...b.audit.ofType('event:requestDelivered')];
    expect(delivered).toHaveLength(1);
    expect(b.audit.ofType('event:requestDelivered')).toHaveLength(1);
    expect((await pair.a.engine.inspect()).outbound[sent.requestId!]?.status).toBe('pending');
    expect(outboxKeys(pair)).toEqual([]);
    // The partner sees a repeated requestId: one Request, one duplicate.
    const deliveries = await pair.net.deliver();
    const kinds = deliveries.filter((d) => d.kind === 'request').map((d) => d.outcome?.kind);
    expect(kinds).toEqual(['request']);
    const again = await pair.b.engine.receive({
      body: { contentType: theirs!.contentType, body: theirs!.body },
      headers: { 'AS2-From': 'ALPHA', 'AS2-To': 'BETA', 'Message-ID': '<taken-over@alpha.test>', 'EDIINT-Features': 'CEM' },
      verifiedBy: pki.a1.der,
    });
    expect(again.kind).toBe('duplicate');
  });

  it('does not record a late failure of the overtaken node over the taker\'s delivery', async () => {
    const g = gate();
    const pair = await setupPair(pki, { wrapA: (ports) => gatedSend(ports, g, false) });
    const b = nodeB(pair);
    const pending = pair.a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') });
    await g.entered;
    pair.clock.advance({ minutes: 6 });
    await b.engine.tick();
    expect(b.transport.requests).toHaveLength(1);
    g.fail(new Error('HTTP 504 after 6 minutes'));
    const sent = await pending;
    const state = await pair.a.engine.inspect();
    expect(state.outbound[sent.requestId!]?.status).toBe('pending');
    expect(pair.a.ports.audit.ofType('event:requestFailed')).toHaveLength(0);
    expect(pair.a.ports.notifier.ofKind('sendFailed')).toHaveLength(0);
    expect(outboxKeys(pair)).toEqual([]);
  });

  it('renews the claim before the next port call, so entries queued behind a slow call are not overtaken', async () => {
    // A tick raising two alerts at once: our Request is overdue and the partner's awaits our answer.
    const first = gate();
    const second = gate();
    let calls: number | null = null;
    const pair = await setupPair(pki, {
      wrapA: (ports) => nodeA(ports, false, {
        notifier: {
          notify: async (n: CemAlertNotice) => {
            if (calls !== null) calls++;
            await (calls === 1 ? first : calls === 2 ? second : null)?.wait();
            await ports.notifier.notify(n);
          },
        },
      }),
    });
    const b = nodeB(pair);
    await pair.a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') });
    await pair.b.engine.sendCertificates('alpha', { signing: source(pki.b2, pki.beta, 'key:b2') });
    pair.net.drop();
    await pair.a.engine.receive({
      body: { contentType: pair.b.ports.transport.requests[0]!.contentType, body: pair.b.ports.transport.requests[0]!.body },
      headers: { 'AS2-From': 'BETA', 'AS2-To': 'ALPHA', 'Message-ID': '<r1@beta.test>', 'EDIINT-Features': 'CEM' },
      verifiedBy: pki.b1.der,
    });
    pair.a.ports.notifier.reset();
    calls = 0;
    pair.clock.advance({ days: 31 });
    const ticking = pair.a.engine.tick();
    await first.entered;
    expect(outboxKeys(pair).length).toBeGreaterThanOrEqual(2);
    pair.clock.advance({ minutes: 6 });
    first.open();
    await second.entered; // A renewed the second entry's claim before calling the notifier
    pair.clock.advance({ minutes: 1 });
    expect((await b.engine.drainOutbox())).toBe(0);
    expect(b.notifier.notices).toHaveLength(0);
    second.open();
    await ticking;
    expect(pair.a.ports.notifier.notices.map((n) => n.kind).sort()).toEqual(['requestOverdue', 'responseOverdue']);
    expect(b.notifier.notices).toHaveLength(0);
    expect(outboxKeys(pair)).toEqual([]);
  });

  it('installs the same server certificate on both nodes when the install outlasts the lease; the state records it once', async () => {
    const g = gate();
    const installs: { protocol: ServerProtocol; certificate: ServerCertificateInstall }[] = [];
    const s1 = pki.alpha.leaf({ subject: '/O=Alpha/CN=alpha.test', extendedKeyUsage: 'serverAuth' });
    const s2 = pki.alpha.leaf({ subject: '/O=Alpha/CN=alpha.test 2', extendedKeyUsage: 'serverAuth' });
    const pair = await setupPair(pki, {
      b: { settings: { autoAccept: true } },
      wrapA: (ports) => nodeA(ports, false, { servers: { install: async (protocol, certificate) => { await g.wait(); installs.push({ protocol, certificate }); } } }),
    });
    const b = nodeB(pair);
    await pair.a.engine.configureServer('HTTP', source(s1, pki.alpha, 'tls:s1'));
    await pair.a.engine.sendCertificates('beta', { signing: source(pki.a1, pki.alpha, `key:${pki.a1.serial}`), tlsServer: source(s2, pki.alpha, 'tls:s2') });
    const delivering = pair.net.deliver();
    await g.entered;
    pair.clock.advance({ minutes: 6 });
    await b.engine.tick();
    expect(b.installer.installs.map((i) => i.certificate.fingerprint)).toEqual([fingerprint(s2)]);
    g.open();
    await delivering;
    expect(installs.map((i) => i.certificate.fingerprint)).toEqual([fingerprint(s2)]);
    expect(Buffer.from(installs[0]!.certificate.der).equals(Buffer.from(b.installer.installs[0]!.certificate.der))).toBe(true);
    const state = await pair.a.engine.inspect();
    expect(state.servers.HTTP?.installed?.cert.fingerprint).toBe(fingerprint(s2));
    expect(state.servers.HTTP?.candidate ?? null).toBeNull();
    expect([...pair.a.ports.audit.ofType('event:serverCertificateInstalled'), ...b.audit.ofType('event:serverCertificateInstalled')]).toHaveLength(1);
    expect(outboxKeys(pair)).toEqual([]);
  });
});

describe('a send slower than the lease, on a clock with timers', () => {
  it('keeps renewing the claim during the call: the other node never takes the entry over', async () => {
    const g = gate();
    const pair = await setupPair(pki, { wrapA: (ports) => gatedSend(ports, g, true) });
    const b = nodeB(pair);
    const pending = pair.a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') });
    await g.entered;
    expect(pair.clock.pendingTimers()).toBe(1);
    for (let minute = 1; minute <= 30; minute++) {
      pair.clock.advance({ minutes: 1 });
      await settle();
      expect(await b.engine.tick(), `minute ${minute}`).toMatchObject({ performed: 0 });
    }
    expect(b.transport.requests).toHaveLength(0);
    const [entry] = Object.values(pair.a.ports.store.snapshot()).filter((r) => r.key.startsWith('outbox/'));
    const claim = (entry?.value as { claim: { until: string } }).claim;
    expect(Date.parse(claim.until)).toBeGreaterThan(pair.clock.now().getTime());
    g.open();
    const sent = await pending;
    expect(pair.clock.pendingTimers()).toBe(0);
    expect(pair.a.ports.transport.requests.map((r) => r.requestId)).toEqual([sent.requestId]);
    expect(pair.a.ports.audit.ofType('event:requestDelivered')).toHaveLength(1);
    expect((await pair.a.engine.inspect()).outbound[sent.requestId!]?.status).toBe('pending');
    expect(outboxKeys(pair)).toEqual([]);
  });

  it('loses the claim when no renewal succeeds for a whole lease (its store unreachable): the taker sends, the cut-off node records nothing', async () => {
    const g = gate();
    // A's store becomes unreachable while the call runs: its renewals fail.
    let storeDown = false;
    const pair = await setupPair(pki, {
      wrapA: (ports) => {
        const gated = gatedSend(ports, g, true);
        return { ...gated, store: { ...ports.store, commit: async (w) => { if (storeDown) throw new Error('connection reset'); return ports.store.commit(w); } } };
      },
    });
    const b = nodeB(pair);
    const pending = pair.a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') });
    await g.entered;
    storeDown = true;
    for (let minute = 1; minute <= 6; minute++) {
      pair.clock.advance({ minutes: 1 });
      await settle();
    }
    storeDown = false;
    expect((await b.engine.tick()).performed).toBe(1);
    pair.clock.advance({ minutes: 1 });
    await settle();
    g.open();
    const sent = await pending;
    expect(b.transport.requests.map((r) => r.requestId)).toEqual([sent.requestId]);
    expect(pair.a.ports.transport.requests.map((r) => r.requestId)).toEqual([sent.requestId]);
    expect(pair.a.ports.audit.ofType('event:requestDelivered')).toHaveLength(0);
    expect(b.audit.ofType('event:requestDelivered')).toHaveLength(1);
    expect(pair.clock.pendingTimers()).toBe(0);
    expect(outboxKeys(pair)).toEqual([]);
  });
});
