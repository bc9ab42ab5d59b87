/**
 * Store calls per operation: the cheapest guard against a scan creeping back into a per-message
 * or per-tick path. Sixty extra relationships sit in the store beside the pair; every count below
 * must be the same with six thousand.
 */
import { Buffer } from 'node:buffer';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CemPorts } from '../../src/ports/ports.js';
import type { StoreListOptions } from '../../src/ports/store.js';
import { keys } from '../../src/engine/keys.js';
import { fingerprint, setupPair, source, twoPartnerPki, type Party } from './harness.js';

let pki: ReturnType<typeof twoPartnerPki>;
beforeAll(() => {
  pki = twoPartnerPki();
});

interface Counter {
  gets: string[];
  lists: { prefix: string; range: StoreListOptions | undefined }[];
  commits: number;
  reset(): void;
}

function counting(): { counter: Counter; wrap: (ports: CemPorts) => CemPorts } {
  const counter: Counter = {
    gets: [],
    lists: [],
    commits: 0,
    reset() {
      this.gets = [];
      this.lists = [];
      this.commits = 0;
    },
  };
  return {
    counter,
    wrap: (ports) => ({
      ...ports,
      store: {
        get: (k) => (counter.gets.push(k), ports.store.get(k)),
        list: (p, r) => (counter.lists.push({ prefix: p, range: r }), ports.store.list(p, r)),
        commit: (w) => (counter.commits++, ports.store.commit(w)),
      },
    }),
  };
}

async function crowd(party: Party, count: number, from = 0): Promise<void> {
  for (let i = from; i < from + count; i++) {
    const added = await party.engine.addRelationship({
      id: `extra-${i}`, localName: party.name, partnerName: `EXTRA-${i}`, protocol: 'AS2', responseUrl: 'https://x.test/as2', listener: i % 2 === 0 ? 'HTTP' : null,
      local: { signing: source(pki.a1, pki.alpha, 'key:a1') }, partner: { signing: source(pki.b1, pki.beta) },
    });
    expect(added.applied).toBe(true);
  }
}

describe('store calls per operation', () => {
  it('receives an ordinary message with one get (the name index), no list, and a commit only when verified features change the capability', async () => {
    const { counter, wrap } = counting();
    const { a } = await setupPair(pki, { wrapA: wrap });
    await crowd(a, 60);
    const message = { body: { contentType: 'application/edi-x12', body: Buffer.from('ISA*00*') }, headers: { 'AS2-From': 'BETA', 'AS2-To': 'ALPHA', 'Message-ID': '<m1@beta>', 'EDIINT-Features': 'CEM, multiple-attachments' }, verifiedBy: pki.b1.der };
    await a.engine.receive(message);
    counter.reset();
    const outcome = await a.engine.receive({ ...message, headers: { ...message.headers, 'Message-ID': '<m2@beta>' } });
    expect(outcome).toEqual({ kind: 'ignored', relationshipId: 'beta' });
    expect(counter.lists).toEqual([]);
    expect(counter.commits).toBe(0);
    expect(counter.gets).toEqual([keys.name('BETA', 'ALPHA')]);
    // Features without CEM from someone else's certificate: still one get, nothing written.
    counter.reset();
    const other = { ...message, headers: { ...message.headers, 'Message-ID': '<m3@beta>', 'EDIINT-Features': 'multiple-attachments' } };
    await a.engine.receive({ ...other, verifiedBy: pki.a1.der });
    expect([counter.gets.length, counter.lists.length, counter.commits]).toEqual([1, 0, 0]);
    expect((await a.engine.status('beta'))[0]?.cemChannel).toBe(true);
    // The same from the partner's signing certificate: the relationship is read and written once.
    counter.reset();
    await a.engine.receive(other);
    expect(counter.commits).toBe(1);
    expect((await a.engine.status('beta'))[0]?.cemChannel).toBe(false);
    // The name index entry followed in the same commit: the next such message is one get again.
    counter.reset();
    await a.engine.receive({ ...other, headers: { ...other.headers, 'Message-ID': '<m4@beta>' } });
    expect([counter.gets.length, counter.lists.length, counter.commits]).toEqual([1, 0, 0]);
    // Unknown names: one get.
    counter.reset();
    await a.engine.receive({ ...message, headers: { ...message.headers, 'AS2-From': 'NOBODY' } });
    expect([counter.gets.length, counter.lists.length, counter.commits]).toEqual([1, 0, 0]);
  });

  it('resolve hands out copies: bytes a host overwrites change neither the next resolve nor another field', async () => {
    const { a } = await setupPair(pki);
    const first = await a.engine.resolve('beta');
    const sign = first?.signOutbound;
    const mdn = first?.signMdn;
    expect(sign?.fingerprint).toBe(fingerprint(pki.a1));
    expect(Buffer.from(sign?.der ?? []).equals(Buffer.from(pki.a1.der))).toBe(true);
    expect(sign?.chain.length).toBeGreaterThan(0);
    sign?.der.fill(0);
    for (const c of sign?.chain ?? []) c.fill(0);
    expect(Buffer.from(mdn?.der ?? []).equals(Buffer.from(pki.a1.der))).toBe(true);
    const again = await a.engine.resolve('beta');
    expect(Buffer.from(again?.signOutbound?.der ?? []).equals(Buffer.from(pki.a1.der))).toBe(true);
    expect(again?.signOutbound?.chain.every((c) => c.some((b) => b !== 0))).toBe(true);
  });

  it('ticks idle with one range read of each due index up to now, and nothing else', async () => {
    const { counter, wrap } = counting();
    const { a } = await setupPair(pki, { wrapA: wrap });
    await crowd(a, 60);
    await a.engine.tick();
    await a.engine.tick();
    counter.reset();
    const result = await a.engine.tick();
    expect(result.effects).toEqual([]);
    expect(counter.gets).toEqual([]);
    expect(counter.commits).toBe(0);
    expect(counter.lists.map((l) => l.prefix).sort()).toEqual(['due/', 'odue/']);
    for (const l of counter.lists) expect(l.range?.end, `${l.prefix} is read up to now`).toBe(`${l.prefix}${a.ports.clock.now().toISOString()}~`);
  });

  it('resolves with a bounded number of gets and no list, and sends, answers and adds without any list but the members of a listener in rollover', async () => {
    const { counter, wrap } = counting();
    const { a, net } = await setupPair(pki, { wrapA: wrap, b: { settings: { autoAccept: true } } });
    await crowd(a, 60);
    await a.engine.resolve('beta');
    counter.reset();
    expect((await a.engine.resolve('beta'))?.signOutbound?.fingerprint).toBe(fingerprint(pki.a1));
    expect(counter.lists).toEqual([]);
    expect(counter.gets.length).toBeLessThanOrEqual(2);
    counter.reset();
    const sent = await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') });
    expect(sent.applied).toBe(true);
    expect(counter.lists).toEqual([]);
    expect(counter.gets.length).toBeLessThan(20);
    counter.reset();
    await net.deliver();
    expect(counter.lists).toEqual([]);
    counter.reset();
    await crowd(a, 1, 60);
    expect(counter.lists).toEqual([]);
    expect(counter.commits).toBe(1);
  });

  it('keeps a partner\'s Request and ordinary messages O(1) while the listener rolls its server certificate over', async () => {
    const { counter, wrap } = counting();
    const { a, b, net } = await setupPair(pki, { wrapA: wrap, a: { settings: { autoAccept: true } } });
    await crowd(a, 60);
    expect((await a.engine.updateRelationship('beta', { listener: 'HTTP' })).applied).toBe(true);
    expect((await a.engine.configureServer('HTTP', source(pki.a1, pki.alpha, 'tls:a1'))).applied).toBe(true);
    const rollover = await a.engine.sendCertificates('beta', { signing: source(pki.a1, pki.alpha, 'key:a1'), tlsServer: source(pki.a2, pki.alpha, 'tls:a2') });
    expect(rollover.applied).toBe(true);
    expect((await a.engine.inspect()).servers.HTTP?.candidate?.cert.fingerprint).toBe(fingerprint(pki.a2));
    // BETA sends its new signing certificate: ALPHA receives the Request while HTTP has a candidate.
    await b.engine.sendCertificates('alpha', { signing: source(pki.b2, pki.beta, 'key:b2') });
    counter.reset();
    const request = (await net.deliver()).find((d) => d.from === 'BETA' && d.kind === 'request');
    expect(request?.outcome?.kind).toBe('request');
    expect(counter.lists.filter((l) => l.prefix.startsWith('member/'))).toEqual([]);
    expect(counter.gets.filter((k) => k.startsWith('rel/extra-'))).toEqual([]);
  });

  it('keeps every partner\'s operation O(1) during our server certificate\'s rollover: the listener\'s tally stands for its other partners', async () => {
    const { counter, wrap } = counting();
    const { a, net } = await setupPair(pki, { wrapA: wrap, b: { settings: { autoAccept: true } } });
    await crowd(a, 60); // 30 of them on HTTP
    expect((await a.engine.updateRelationship('beta', { listener: 'HTTP' })).applied).toBe(true);
    expect((await a.engine.configureServer('HTTP', source(pki.a1, pki.alpha, 'tls:a1'))).applied).toBe(true);
    const members = (): string[] => counter.lists.filter((l) => l.prefix.startsWith('member/')).map((l) => l.prefix);
    const others = (mine: string): string[] => counter.gets.filter((k) => k.startsWith('rel/') && k !== keys.relationship(mine));
    // Offering the new server certificate to BETA: its relationship and the listener, none of the 30 others.
    counter.reset();
    const offered = await a.engine.sendCertificates('beta', { signing: source(pki.a1, pki.alpha, 'key:a1'), tlsServer: source(pki.a2, pki.alpha, 'tls:a2') });
    expect(offered.applied).toBe(true);
    expect([members(), others('beta')]).toEqual([[], []]);
    expect(counter.gets).toContain(keys.listener('HTTP'));
    // BETA's Response accepts it: still one relationship; the 30 others wait, so nothing is installed.
    counter.reset();
    const answered = (await net.deliver()).find((d) => d.from === 'BETA' && d.kind === 'response');
    expect(answered?.outcome?.kind).toBe('response');
    expect([members(), others('beta')]).toEqual([[], []]);
    expect(a.ports.installer.installs).toEqual([]);
    expect((await a.engine.inspect()).relationships['beta']?.serverReadiness?.status).toBe('accepted');
    // Scheduling it for another partner, then removing a third one: each reads only its own relationship.
    counter.reset();
    const at = new Date(a.ports.clock.now().getTime() + 86_400_000);
    expect((await a.engine.schedule({ relationshipId: 'extra-0', side: 'local', usage: 'tlsServer', certificate: source(pki.a2, pki.alpha, 'tls:a2'), activateAt: at })).applied).toBe(true);
    expect([members(), others('extra-0')]).toEqual([[], []]);
    counter.reset();
    expect((await a.engine.removeRelationship('extra-2')).applied).toBe(true);
    expect([members(), others('extra-2')]).toEqual([[], []]);
    // The tally the listener keeps is exact: 28 without readiness, BETA accepted, EXTRA-0 scheduled.
    const tally = ((await a.ports.store.get(keys.listener('HTTP')))?.value as { tally?: Record<string, number> } | undefined)?.tally;
    expect(tally).toEqual({ none: 28, [`${fingerprint(pki.a2)} accepted`]: 1, [`${fingerprint(pki.a2)} scheduled ${at.toISOString()}`]: 1 });
    // The listener's own tick (its daily reminder) is the one path that reads every partner: it names them.
    counter.reset();
    await a.engine.tick();
    expect(members()).toEqual([`${keys.listener('HTTP').replace('listener/', 'member/')}/`]);
    const [pending] = a.ports.notifier.ofKind('serverCertificatePending');
    expect(pending?.message).toContain('waits for 29 partner(s)'); // 28 without readiness, EXTRA-0 before its time
  });
});
