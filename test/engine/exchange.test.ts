import { beforeAll, describe, expect, it } from 'vitest';
import { parseCemEntity } from '../../src/messages/entity/parse.js';
import { createNetwork, createParty, link, newClock, source, twoPartnerPki, type Network, type Party } from './harness.js';

type Pki = ReturnType<typeof twoPartnerPki>;
let pki: Pki;
beforeAll(() => {
  pki = twoPartnerPki();
});

async function setup(): Promise<{ a: Party; b: Party; net: Network }> {
  const clock = newClock();
  const a = createParty({ name: 'ALPHA', clock });
  const b = createParty({ name: 'BETA', clock });
  await link(a, pki.a1, pki.alpha, b, pki.b1, pki.beta);
  const net = createNetwork([a, b]);
  await net.payload(a, b);
  await net.payload(b, a);
  return { a, b, net };
}

const fp = (cert: { der: Uint8Array }): Promise<string> => crypto.subtle.digest('SHA-256', cert.der).then((h) => Buffer.from(h).toString('hex'));

describe('two engines exchanging certificates', () => {
  it('learns CEM capability from EDIINT-Features on ordinary payloads', async () => {
    const { a, b } = await setup();
    const [ab] = await a.engine.status('beta');
    const [ba] = await b.engine.status('alpha');
    expect(ab?.cemChannel).toBe(true);
    expect(ba?.cemChannel).toBe(true);
  });

  it('rolls ALPHA to a new certificate by CEM with a manual accept, switching over on first usage with no undeliverable message', async () => {
    const { a, b, net } = await setup();
    const a1 = await fp(pki.a1);
    const a2 = await fp(pki.a2);
    const sent = await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') });
    expect(sent.channel).toBe('cem');
    expect(sent.requestId).toMatch(/^alpha-req-/);
    expect(a.ports.transport.requests).toHaveLength(1);
    const wire = parseCemEntity({ contentType: a.ports.transport.requests[0]!.contentType, body: a.ports.transport.requests[0]!.body });
    expect(wire.kind).toBe('request');
    if (wire.kind === 'request') {
      expect(wire.request.trustRequests[0]?.usages).toEqual(expect.arrayContaining(['digitalSignature', 'keyEncipherment']));
      expect(wire.certificates[0]?.chain).toHaveLength(2);
      expect(wire.request.originated.lexical).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    }
    // Before acceptance ALPHA still signs with the old certificate but already decrypts with both.
    let ra = await a.engine.resolve('beta');
    expect(ra?.signOutbound?.fingerprint).toBe(a1);
    expect(ra?.decryptInbound.map((c) => c.fingerprint)).toEqual([a1, a2]);

    const [delivered] = await net.deliver();
    expect(delivered?.outcome?.kind).toBe('request');
    expect(b.ports.notifier.ofKind('requestReceived')).toHaveLength(1);
    const outcome = delivered?.outcome;
    if (outcome?.kind !== 'request') throw new Error('expected a request');
    expect(outcome.certificates.map((c) => c.decision)).toEqual(['pending']);
    expect((await b.engine.status('alpha'))[0]?.status).toBe('Pending');

    const answer = await b.engine.respond(outcome.exchangeKey, [{ fingerprint: a2, accept: true }]);
    expect(answer.applied).toBe(true);
    expect(b.ports.transport.responses).toHaveLength(1);
    // BETA encrypts to the new certificate at once and verifies both signatures until first usage.
    const rb = await b.engine.resolve('alpha');
    expect(rb?.encryptOutbound?.fingerprint).toBe(a2);
    expect(rb?.verifyInbound.map((c) => c.fingerprint).sort()).toEqual([a1, a2].sort());

    const [response] = await net.deliver();
    expect(response?.outcome?.kind).toBe('response');
    expect(a.ports.notifier.ofKind('responseReceived')).toHaveLength(1);
    ra = await a.engine.resolve('beta');
    expect(ra?.signOutbound?.fingerprint).toBe(a2);
    expect(ra?.signOutbound?.keyRef).toBe('key:a2');
    expect(ra?.signOutbound?.chain).toHaveLength(2);

    // First usage both ways.
    const toBeta = await net.payload(a, b);
    const toAlpha = await net.payload(b, a);
    expect([toBeta, toAlpha].every((d) => d.decrypted && d.verified)).toBe(true);
    ra = await a.engine.resolve('beta');
    expect(ra?.decryptInbound.map((c) => c.fingerprint)).toEqual([a2]);
    expect(ra?.decryptArchive.map((c) => c.fingerprint)).toContain(a1);
    const rb2 = await b.engine.resolve('alpha');
    expect(rb2?.verifyInbound.map((c) => c.fingerprint)).toEqual([a2]);
    expect(net.log.every((d) => d.decrypted && d.verified)).toBe(true);
    expect((await a.engine.status('beta'))[0]?.status).toBe('Active');
    expect((await b.engine.status('alpha'))[0]?.status).toBe('Active');
  });

  it('exchanges in both directions at once with auto-accept, each side switching over on first usage', async () => {
    const { a, b, net } = await setup();
    await a.engine.updateSettings({ autoAccept: true });
    await b.engine.updateSettings({ autoAccept: true });
    const fromA = await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') });
    const fromB = await b.engine.sendCertificates('alpha', { signing: source(pki.b2, pki.beta, 'key:b2') });
    expect([fromA.channel, fromB.channel]).toEqual(['cem', 'cem']);
    const deliveries = await net.deliver();
    expect(deliveries.map((d) => `${d.from}:${d.kind}:${d.outcome?.kind ?? 'undelivered'}`).sort()).toEqual(
      ['ALPHA:request:request', 'ALPHA:response:response', 'BETA:request:request', 'BETA:response:response'],
    );
    for (let i = 0; i < 2; i++) {
      await net.payload(a, b);
      await net.payload(b, a);
    }
    expect(net.log.every((d) => d.decrypted && d.verified)).toBe(true);
    const ra = await a.engine.resolve('beta');
    const rb = await b.engine.resolve('alpha');
    expect([ra?.signOutbound?.fingerprint, ra?.encryptOutbound?.fingerprint]).toEqual([await fp(pki.a2), await fp(pki.b2)]);
    expect([rb?.signOutbound?.fingerprint, rb?.encryptOutbound?.fingerprint]).toEqual([await fp(pki.b2), await fp(pki.a2)]);
    expect(ra?.decryptInbound.map((c) => c.fingerprint)).toEqual([await fp(pki.a2)]);
    expect(ra?.verifyInbound.map((c) => c.fingerprint)).toEqual([await fp(pki.b2)]);
    expect(rb?.decryptInbound.map((c) => c.fingerprint)).toEqual([await fp(pki.b2)]);
    expect(rb?.verifyInbound.map((c) => c.fingerprint)).toEqual([await fp(pki.a2)]);
    for (const p of [a, b]) expect(Object.keys(p.ports.store.snapshot()).filter((k) => k.startsWith('outbox/'))).toEqual([]);
  });
});
