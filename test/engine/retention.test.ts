/**
 * Retention in the engine: finished exchanges and the `seen/` and `response/` records leave the
 * store once `retainFinishedDays` have passed, so a product running for years keeps a bounded
 * store, while nothing that still waits is ever deleted.
 */
import type { JsonValue } from '../../src/ports/json.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCemEngine } from '../../src/engine/engine.js';
import type { CemStore, StoredRecord } from '../../src/ports/store.js';
import { DEFAULT_SETTINGS, type CemState } from '../../src/state/model.js';
import { createManualClock, createMemoryNotifier, createMemoryStore, createMemoryTransport, createSequentialIds, type MemoryStore } from '../../src/testing/index.js';
import type { TestCert, TestPki } from '../helpers/pki.js';
import { days, fingerprint, setupPair, source, START, twoPartnerPki } from './harness.js';

type Pki = ReturnType<typeof twoPartnerPki>;
let pki: Pki;
/** Next certificates of each party, one per rotation. */
let rotations: { alpha: TestCert[]; beta: TestCert[] };
const ROUNDS = 44;
const ROUND_DAYS = 42;

beforeAll(() => {
  pki = twoPartnerPki();
  const make = (p: TestPki, name: string, key: TestCert): TestCert[] =>
    Array.from({ length: ROUNDS / 2 }, (_, i) => p.leaf({ subject: `/O=${name}/CN=as2 ${name.toLowerCase()} r${i}`, keyFrom: key }));
  rotations = { alpha: make(pki.alpha, 'Alpha', pki.a1), beta: make(pki.beta, 'Beta', pki.b1) };
});

/** Number of stored records by key prefix (`out`, `in`, `seen`, `material`, ...). */
function census(store: MemoryStore): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of Object.keys(store.snapshot())) {
    const prefix = key.split('/')[0]!;
    counts[prefix] = (counts[prefix] ?? 0) + 1;
  }
  return counts;
}

const withoutMaterial = (store: MemoryStore): number => Object.keys(store.snapshot()).filter((k) => !k.startsWith('material/')).length;
const keysUnder = (store: MemoryStore, prefix: string): string[] => Object.keys(store.snapshot()).filter((k) => k.startsWith(prefix));

/** The keys of one part (`outbound`, `inbound`, `seen`, `responses`) of every relationship aggregate in the store. */
function stored(store: MemoryStore, part: 'outbound' | 'inbound' | 'seen' | 'responses'): string[] {
  return Object.values(store.snapshot())
    .filter((r) => r.key.startsWith('rel/'))
    .flatMap((r) => Object.keys(((r.value as Record<string, JsonValue>)[part] ?? {}) as Record<string, JsonValue>));
}

/** One relationship aggregate as stored. */
function aggregate(store: MemoryStore, id: string): Record<string, Record<string, JsonValue>> {
  return store.snapshot()[`rel/${id}`]?.value as Record<string, Record<string, JsonValue>>;
}

/** Every certificate fingerprint the state still holds: active, successor, archived, in an exchange, on a listener. */
function heldFingerprints(state: CemState): Set<string> {
  const held = new Set<string>();
  for (const rel of Object.values(state.relationships)) {
    for (const slot of [...Object.values(rel.local), ...Object.values(rel.partner)]) {
      slot.active.forEach((a) => held.add(a.cert.fingerprint));
      slot.archive.forEach((a) => held.add(a.cert.fingerprint));
      if (slot.successor !== null) held.add(slot.successor.cert.fingerprint);
    }
  }
  for (const server of Object.values(state.servers)) {
    if (server?.installed) held.add(server.installed.cert.fingerprint);
    if (server?.candidate) held.add(server.candidate.cert.fingerprint);
    server?.archive.forEach((a) => held.add(a.cert.fingerprint));
  }
  Object.values(state.outbound).forEach((ex) => ex.items.forEach((i) => held.add(i.fingerprint)));
  Object.values(state.inbound).forEach((ex) => ex.items.forEach((i) => held.add(i.cert.fingerprint)));
  return held;
}

const settings = (retainFinishedDays: number, autoAccept = true) => ({ settings: { autoAccept, retainFinishedDays } });

describe('engine retention', () => {
  it('keeps the number of stored records bounded over five years of certificate rotations both ways', async () => {
    const pair = await setupPair(pki, { a: settings(90), b: settings(90) });
    const { a, b, net } = pair;
    const sizes: number[][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [from, to, cert, certPki] = round % 2 === 0 ? [a, b, rotations.alpha[round / 2]!, pki.alpha] : [b, a, rotations.beta[(round - 1) / 2]!, pki.beta];
      const sent = await from.engine.sendCertificates(to.host, { signing: source(cert, certPki, `key:${cert.serial}`) });
      expect(sent.channel).toBe('cem');
      await net.deliver();
      // First usage both ways switches everything over.
      await net.payload(a, b);
      await net.payload(b, a);
      expect((await from.engine.resolve(to.host))?.signOutbound?.fingerprint).toBe(fingerprint(cert));
      await days(pair, [a, b], ROUND_DAYS);
      sizes.push([withoutMaterial(a.ports.store), withoutMaterial(b.ports.store)]);
    }
    expect(net.log.every((d) => d.decrypted && d.verified)).toBe(true);
    // Five years: the store holds the exchanges of the last 90 days, not of every rotation.
    const firstYear = sizes.slice(0, Math.ceil(365 / ROUND_DAYS)).flat();
    const later = sizes.slice(Math.ceil(365 / ROUND_DAYS)).flat();
    expect(Math.max(...later)).toBeLessThanOrEqual(Math.max(...firstYear));
    for (const party of [a, b]) {
      const counts = census(party.ports.store);
      expect(counts['out'] ?? 0).toBeLessThan(ROUNDS / 2 / 4);
      expect(counts['in'] ?? 0).toBeLessThan(ROUNDS / 2 / 4);
      expect(counts['seen'] ?? 0).toBeLessThan(ROUNDS / 4);
      expect(counts['response'] ?? 0).toBeLessThan(ROUNDS / 2 / 4);
      expect(counts['outbox'] ?? 0).toBe(0);
      // Certificate material grows only with the certificates the state keeps (archives, draft §1.3).
      const state = await party.engine.inspect();
      const material = keysUnder(party.ports.store, 'material/').map((k) => k.slice('material/'.length));
      expect(new Set(material)).toEqual(heldFingerprints(state));
      expect(state.relationships[party === a ? 'beta' : 'alpha']?.local.signing.archive.length).toBe(ROUNDS / 2);
    }
  }, 120_000);

  it('never deletes what still waits: a Request left undecided for longer than the retention is answered and adopted late', async () => {
    const pair = await setupPair(pki, { a: settings(30), b: settings(30, false) });
    const { a, b, net } = pair;
    const next = rotations.alpha[0]!;
    const sent = await a.engine.sendCertificates('beta', { signing: source(next, pki.alpha, 'key:next') });
    const [delivered] = await net.deliver();
    if (delivered?.outcome?.kind !== 'request') throw new Error('expected a request');
    await days(pair, [a, b], 200);
    // Still there on both sides: ALPHA's Request expired (not finished), BETA's waits for a decision.
    expect((await a.engine.inspect()).outbound[sent.requestId!]?.status).toBe('expired');
    expect((await b.engine.inspect()).inbound[delivered.outcome.exchangeKey]?.status).toBe('awaitingDecision');
    expect(a.ports.notifier.ofKind('requestOverdue').length).toBeGreaterThan(150);
    const answer = await b.engine.respond(delivered.outcome.exchangeKey, [{ fingerprint: fingerprint(next), accept: true }]);
    expect(answer.applied).toBe(true);
    const [response] = await net.deliver();
    expect(response?.outcome?.kind).toBe('response');
    expect((await a.engine.inspect()).outbound[sent.requestId!]?.status).toBe('accepted');
    await net.payload(a, b);
    await net.payload(b, a);
    expect((await a.engine.resolve('beta'))?.signOutbound?.fingerprint).toBe(fingerprint(next));
    // Finished and used: 30 days later both exchanges and their records are gone.
    await days(pair, [a, b], 29);
    expect(stored(a.ports.store, 'outbound')).toHaveLength(1);
    expect(stored(b.ports.store, 'inbound')).toHaveLength(1);
    await days(pair, [a, b], 2);
    for (const party of [a, b]) {
      expect(stored(party.ports.store, 'outbound').concat(stored(party.ports.store, 'inbound'), stored(party.ports.store, 'responses'))).toEqual([]);
      expect(stored(party.ports.store, 'seen')).toEqual([]);
      // The exchange indexes went with the exchanges.
      expect(keysUnder(party.ports.store, 'xout/').concat(keysUnder(party.ports.store, 'xin/'))).toEqual([]);
    }
  });

  it('keeps the Response record while its Request is stored, and deletes it with the Request', async () => {
    const pair = await setupPair(pki, { a: settings(30), b: settings(30) });
    const { a, b, net } = pair;
    const next = rotations.alpha[1]!;
    await a.engine.sendCertificates('beta', { signing: source(next, pki.alpha, 'key:next') });
    await net.deliver();
    const [responseKey] = stored(b.ports.store, 'responses');
    expect(responseKey).toBeDefined();
    const written = aggregate(b.ports.store, 'alpha')['responses']?.[responseKey!] as { at?: string };
    expect(written.at).toBe(pair.clock.now().toISOString());
    // No first usage yet: BETA still accepts ALPHA's old signing certificate beside the new one, so the Request stays.
    await days(pair, [a, b], 60);
    expect(stored(b.ports.store, 'inbound')).toHaveLength(1);
    expect(stored(b.ports.store, 'responses')).toEqual([responseKey]);
    expect(stored(b.ports.store, 'seen')).toEqual([]);
    await net.payload(a, b);
    await b.engine.tick();
    expect(stored(b.ports.store, 'inbound')).toEqual([]);
    expect(stored(b.ports.store, 'responses')).toEqual([]);
  });

  it('drops remembered Message-IDs and orphaned Response Content-IDs after the retention, keeping those of stored Requests, in the aggregate\'s own version-checked commit', async () => {
    const pair = await setupPair(pki, { a: settings(30), b: settings(30) });
    const { a, b, net } = pair;
    await a.engine.sendCertificates('beta', { signing: source(rotations.alpha[2]!, pki.alpha, 'key:next') });
    await net.deliver();
    const store = b.ports.store;
    const [responseKey] = stored(store, 'responses');
    const seenBefore = stored(store, 'seen');
    expect(seenBefore.length).toBeGreaterThan(0);
    // An orphaned Response entry (its Request already gone), written now.
    const record = store.snapshot()['rel/alpha']!;
    const value = record.value as Record<string, Record<string, JsonValue>>;
    const orphan = { exchangeKey: 'alpha/gone', responseUrl: null, xmlContentId: 'x@beta.test', at: pair.clock.now().toISOString() };
    await store.commit([{ key: 'rel/alpha', expectedVersion: record.version, value: { ...value, responses: { ...value['responses'], orphan } } }]);
    // A node whose commits are recorded ticks once the retention passed.
    pair.clock.advance({ days: 31 });
    const commits: Parameters<CemStore['commit']>[0][] = [];
    const recording: CemStore = { get: (k) => store.get(k), list: (p, r) => store.list(p, r), commit: (w) => (commits.push(w), store.commit(w)) };
    const versionBefore = store.snapshot()['rel/alpha']!.version;
    const node = createCemEngine({ clock: pair.clock, ids: createSequentialIds({ prefix: 'beta2', domain: 'beta.test' }), store: recording, transport: createMemoryTransport(), notifier: createMemoryNotifier() }, { engineId: 'beta-2', ...settings(30) });
    await node.tick();
    expect(stored(store, 'seen')).toEqual([]);
    expect(stored(store, 'responses')).toEqual([responseKey]);
    // The drop went with the aggregate's version-checked write, so a writer of an older read conflicts.
    const dropping = commits.filter((c) => c.some((w) => w.key === 'rel/alpha'));
    expect(dropping.length).toBeGreaterThan(0);
    expect(dropping[0]).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'rel/alpha', expectedVersion: versionBefore })]));
  });

  it('treats a redelivered Response after the retention as an unknown Request, and a redelivered Request as a new one', async () => {
    const pair = await setupPair(pki, { a: settings(30), b: settings(30) });
    const { a, b, net } = pair;
    const next = rotations.alpha[3]!;
    await a.engine.sendCertificates('beta', { signing: source(next, pki.alpha, 'key:next') });
    await net.deliver();
    await net.payload(a, b);
    await net.payload(b, a);
    const requestIndex = a.ports.transport.sent.findIndex((e) => e.kind === 'request');
    const responseIndex = b.ports.transport.sent.findIndex((e) => e.kind === 'response');
    expect((await net.redeliver(b, responseIndex)).outcome?.kind).toBe('duplicate');
    await days(pair, [a, b], 31);
    expect(stored(a.ports.store, 'outbound').concat(stored(b.ports.store, 'inbound'))).toEqual([]);
    const lateResponse = (await net.redeliver(b, responseIndex)).outcome;
    expect(lateResponse?.kind).toBe('refused');
    expect(lateResponse?.kind === 'refused' ? lateResponse.reason : null).toBe('unknownExchange');
    const responsesBefore = b.ports.transport.responses.length;
    const again = (await net.redeliver(a, requestIndex)).outcome;
    expect(again?.kind).toBe('request');
    expect(again?.kind === 'request' ? again.certificates.map((c) => c.decision) : []).toEqual(['accepted']);
    expect(b.ports.transport.responses.length).toBe(responsesBefore + 1);
  });

  it('reads a settings record stored before retainFinishedDays existed with the configured or default retention', async () => {
    const { retainFinishedDays: _new, ...older } = DEFAULT_SETTINGS;
    for (const [config, expected] of [[{}, 400], [{ settings: { retainFinishedDays: 90 } }, 90]] as const) {
      const store = createMemoryStore([{ key: 'settings', version: 3, value: { ...older, autoAccept: true } }]);
      const engine = createCemEngine({ clock: createManualClock(START), ids: createSequentialIds({ prefix: 'x', domain: 'x.test' }), store, transport: createMemoryTransport(), notifier: createMemoryNotifier() }, config);
      const state = await engine.inspect();
      expect(state.settings).toEqual({ ...DEFAULT_SETTINGS, autoAccept: true, retainFinishedDays: expected });
      await engine.tick();
      expect(store.snapshot()['settings']?.version).toBe(3);
    }
  });

  it('makes a writer that read the state before a tick deleted an exchange recompute instead of writing to the deleted records', async () => {
    const pair = await setupPair(pki, { a: settings(30), b: settings(30) });
    const { a, b, net } = pair;
    const next = rotations.alpha[4]!;
    await a.engine.sendCertificates('beta', { signing: source(next, pki.alpha, 'key:next') });
    const [delivered] = await net.deliver();
    if (delivered?.outcome?.kind !== 'request') throw new Error('expected a request');
    const key = delivered.outcome.exchangeKey;
    await net.payload(a, b);
    await net.payload(b, a);
    pair.clock.advance({ days: 31 });
    // A second BETA node whose commits wait at a gate: it reads the answered Request, then stalls.
    const gate = gatedStore(b.ports.store);
    const node2 = createCemEngine({ clock: pair.clock, ids: createSequentialIds({ prefix: 'beta2', domain: 'beta.test' }), store: gate.store, transport: createMemoryTransport(), notifier: createMemoryNotifier() }, { engineId: 'beta-2', ...settings(30) });
    const request = a.ports.transport.requests[0]!;
    const receiving = node2.receive({
      body: { contentType: request.contentType, body: request.body },
      headers: { 'AS2-From': 'ALPHA', 'AS2-To': 'BETA', 'Message-ID': '<sent-again@alpha.test>', 'EDIINT-Features': 'CEM' },
      verifiedBy: next.der,
    });
    await gate.waiting();
    const stale = gate.held()!;
    const staleAggregate = stale.find((w) => w.key === 'rel/alpha');
    expect(staleAggregate?.expectedVersion).not.toBeNull();
    expect(Object.keys((staleAggregate?.value as Record<string, Record<string, JsonValue>>)['inbound'] ?? {})).toContain(key);
    await b.engine.tick(); // drops the Request and deletes its records meanwhile
    expect(aggregate(b.ports.store, 'alpha')['inbound']?.[key]).toBeUndefined();
    gate.open();
    const outcome = await receiving;
    expect(gate.conflicts()).toBeGreaterThan(0);
    // Recomputed on the fresh state: a new exchange, not the deleted one sent again.
    expect(outcome.kind).toBe('request');
    expect(aggregate(b.ports.store, 'alpha')['inbound']?.[key]).toMatchObject({ receivedAt: pair.clock.now().toISOString(), messageId: '<sent-again@alpha.test>' });
  });
});

/** A store whose commits wait at a gate until `open()`; `waiting()` resolves when one is held. */
function gatedStore(inner: CemStore) {
  let held: Parameters<CemStore['commit']>[0] | null = null;
  let conflicts = 0;
  let closed = true;
  let release: () => void = () => undefined;
  let notify: () => void = () => undefined;
  const opened = new Promise<void>((r) => (release = r));
  const arrived = new Promise<void>((r) => (notify = r));
  const store: CemStore = {
    get: (k) => inner.get(k),
    list: (p, r) => inner.list(p, r),
    async commit(writes) {
      if (closed && writes.some((w) => w.key.startsWith('rel/'))) {
        held = writes;
        notify();
        await opened;
      }
      try {
        return await inner.commit(writes);
      } catch (error) {
        if ((error as { code?: string }).code === 'CEM_STORE_CONFLICT') conflicts++;
        throw error;
      }
    },
  };
  return {
    store,
    waiting: () => arrived,
    held: () => held,
    open: () => {
      closed = false;
      release();
    },
    conflicts: () => conflicts,
  };
}

