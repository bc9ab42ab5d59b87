import { beforeAll, describe, expect, it } from 'vitest';
import { createCemEngine } from '../../src/engine/engine.js';
import type { CemPorts } from '../../src/ports/ports.js';
import type { CemStore, StoreListOptions, StoreWrite } from '../../src/ports/store.js';
import type { OutboundCemRequest } from '../../src/ports/transport.js';
import { fingerprint, setupPair, source, twoPartnerPki, type Party } from './harness.js';

type Pki = ReturnType<typeof twoPartnerPki>;
let pki: Pki;
beforeAll(() => {
  pki = twoPartnerPki();
});

const outboxKeys = (p: Party): string[] => Object.keys(p.ports.store.snapshot()).filter((k) => k.startsWith('outbox/'));

function withTransport(ports: CemPorts, sendRequest: (m: OutboundCemRequest) => Promise<void>): CemPorts {
  return { ...ports, transport: { ...ports.transport, sendRequest } };
}

function withStore(ports: CemPorts, store: Partial<CemStore>): CemPorts {
  return { ...ports, store: { ...ports.store, ...store } as CemStore };
}

describe('the outbox', () => {
  it('stores the request as intent, with the exchange, in one commit before the transport is called', async () => {
    let seenAtSend: string[] = [];
    let commitsAtSend = 0;
    const { a } = await setupPair(pki, {
      wrapA: (ports) => withTransport(ports, async (m) => {
        const snap = a.ports.store.snapshot();
        seenAtSend = Object.keys(snap);
        commitsAtSend = a.ports.store.commitCount();
        const entry = Object.values(snap).find((r) => r.key.startsWith('outbox/'));
        expect(JSON.stringify(entry?.value)).toContain(m.requestId);
        await ports.transport.sendRequest(m);
      }),
    });
    const before = a.ports.store.commitCount();
    const sent = await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha) });
    expect(commitsAtSend).toBe(before + 1);
    expect(seenAtSend).toEqual(expect.arrayContaining(['rel/beta', `xout/${sent.requestId}`, `material/${fingerprint(pki.a2)}`]));
    expect(seenAtSend.some((k) => k.startsWith('outbox/'))).toBe(true);
    expect(outboxKeys(a)).toEqual([]);
    expect((await a.engine.inspect()).outbound[sent.requestId!]?.status).toBe('pending');
  });

  it('re-sends a request whose sender died after the transport call, byte-identical: another node once the lease expired, the same engineId restarted at once', async () => {
    let dead = false;
    let died = false;
    const { a, net } = await setupPair(pki, {
      b: { settings: { autoAccept: true } },
      wrapA: (ports) => {
        const guard = <A extends unknown[], R>(f: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
          if (dead) throw new Error('process died');
          return f(...args);
        };
        const store = { get: guard((k: string) => ports.store.get(k)), list: guard((p: string, r?: StoreListOptions) => ports.store.list(p, r)), commit: guard((w: readonly StoreWrite[]) => ports.store.commit(w)) };
        return withStore(withTransport(ports, async (m) => {
          if (dead) throw new Error('process died');
          await ports.transport.sendRequest(m);
          if (!died) dead = died = true;
        }), store);
      },
    });
    const sent = await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha) });
    expect(dead).toBe(true);
    expect(outboxKeys(a)).toHaveLength(1);
    dead = false;
    // Another node waits for the dead node's lease to run out...
    const other = createCemEngine(a.ports, { engineId: 'other-node' });
    expect(await other.drainOutbox()).toBe(0);
    a.ports.clock.advance({ minutes: 4 });
    expect(await other.drainOutbox()).toBe(0);
    expect(a.ports.transport.requests).toHaveLength(1);
    // ...the node restarted with the same engineId takes its own claim over at once.
    const restarted = a.restart();
    expect(await restarted.drainOutbox()).toBe(1);
    const [first, second] = a.ports.transport.requests;
    expect(second?.requestId).toBe(sent.requestId);
    expect(Buffer.from(second!.body).equals(Buffer.from(first!.body))).toBe(true);
    expect(outboxKeys(a)).toEqual([]);
    const deliveries = await net.deliver();
    const kinds = deliveries.map((d) => d.outcome?.kind);
    expect(kinds[0]).toBe('request');
    expect(kinds.filter((k) => k === 'request')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'response')).toHaveLength(1);
    expect(kinds.every((k) => k === 'request' || k === 'response' || k === 'duplicate')).toBe(true);
    expect((await a.engine.resolve('beta'))?.signOutbound?.fingerprint).toBe(fingerprint(pki.a2));
  });

  it('leaves an entry claimed by a live engine to it, while another engine on the same store drains nothing', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const { a } = await setupPair(pki, { wrapA: (ports) => withTransport(ports, async (m) => { await gate; await ports.transport.sendRequest(m); }) });
    const other = createCemEngine({ clock: a.ports.clock, ids: a.ports.ids, store: a.ports.store, transport: a.ports.transport, notifier: a.ports.notifier }, { engineId: 'node-2' });
    const pending = a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha) });
    await new Promise((r) => setTimeout(r, 20));
    expect(outboxKeys(a)).toHaveLength(1);
    expect(await other.drainOutbox()).toBe(0);
    expect(await other.tick()).toMatchObject({ performed: 0 });
    release();
    await pending;
    expect(a.ports.transport.requests).toHaveLength(1);
    expect(outboxKeys(a)).toEqual([]);
  });

  it('keeps a notice the notifier refused and delivers it after the retry delay', async () => {
    const { a } = await setupPair(pki, { learn: false, a: { retryDelayMs: 60_000 } });
    a.ports.notifier.failNext(1);
    await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha) });
    await a.engine.setActive('beta', 'local', 'signing');
    expect(a.ports.notifier.ofKind('certificateActivated')).toHaveLength(0);
    expect(outboxKeys(a)).toHaveLength(1);
    expect(await a.engine.drainOutbox()).toBe(0);
    a.ports.clock.advance({ minutes: 2 });
    expect(await a.engine.drainOutbox()).toBe(1);
    expect(a.ports.notifier.ofKind('certificateActivated')).toHaveLength(1);
    expect(outboxKeys(a)).toEqual([]);
  });

  it('fails an operation with CEM_PORT_FAILED when the store fails, changing nothing', async () => {
    let failCommit = false;
    const { a } = await setupPair(pki, {
      wrapA: (ports) => withStore(ports, { commit: async (w) => { if (failCommit) throw new Error('database is down'); return ports.store.commit(w); } }),
    });
    const before = JSON.stringify(a.ports.store.snapshot());
    failCommit = true;
    await expect(a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha) })).rejects.toMatchObject({ code: 'CEM_PORT_FAILED' });
    expect(JSON.stringify(a.ports.store.snapshot())).toBe(before);
    expect(a.ports.transport.requests).toHaveLength(0);
    failCommit = false;
    expect((await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha) })).applied).toBe(true);
  });

  it('recomputes from fresh state after a conflict, and gives up with CEM_STORE_CONFLICT when the store keeps changing', async () => {
    let interfere = 0;
    const { a } = await setupPair(pki, {
      a: { maxConflictRetries: 3 },
      wrapA: (ports) => withStore(ports, {
        commit: async (w) => {
          if (interfere > 0) {
            interfere--;
            // Another node changes the records we read (the relationship, the settings) between our read and our write.
            for (const key of ['rel/beta', 'settings']) {
              const current = await ports.store.get(key);
              await ports.store.commit([{ key, expectedVersion: current?.version ?? null, value: current?.value ?? {} }]);
            }
          }
          return ports.store.commit(w);
        },
      }),
    });
    interfere = 2;
    const sent = await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha) });
    expect(sent.applied).toBe(true);
    expect(a.ports.transport.requests).toHaveLength(1);
    interfere = 10;
    await expect(a.engine.updateSettings({ maxResponseDays: 9 })).rejects.toMatchObject({ code: 'CEM_STORE_CONFLICT' });
    interfere = 0;
    expect((await a.engine.inspect()).settings.maxResponseDays).toBe(30);
  });
});
