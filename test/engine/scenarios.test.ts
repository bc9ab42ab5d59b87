/**
 * End to end on memory ports, scenarios otherwise covered only by the pure lifecycle tests: the
 * server-certificate conflict alert, first usage of a scheduled certificate by an AS3 partner
 * without CEM, and one received Request answered over several `respond` calls.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/ports/json.js';
import { makePki, type TestCert, type TestPki } from '../helpers/pki.js';
import { createNetwork, createParty, days, fingerprint, link, newClock, setupPair, source, twoPartnerPki, type Party } from './harness.js';

type Pki = ReturnType<typeof twoPartnerPki>;
let pki: Pki;
let partners: TestPki;
let gamma1: TestCert;
let s1: TestCert;
let s2: TestCert;
let s3: TestCert;
let b3: TestCert;
beforeAll(() => {
  pki = twoPartnerPki();
  partners = makePki('Partners');
  gamma1 = partners.leaf({ subject: '/O=Gamma/CN=as2 gamma 1' });
  s1 = pki.alpha.leaf({ subject: '/O=Alpha/CN=alpha.test', extendedKeyUsage: 'serverAuth' });
  s2 = pki.alpha.leaf({ subject: '/O=Alpha/CN=alpha.test 2', extendedKeyUsage: 'serverAuth' });
  s3 = pki.alpha.leaf({ subject: '/O=Alpha/CN=alpha.test 3', extendedKeyUsage: 'serverAuth' });
  b3 = pki.beta.leaf({ subject: '/O=Beta/CN=as2 beta enc 3' });
});

describe('serverCertificateConflict: partners on one listener accepted different server certificates', () => {
  // Through the engine's operations this state cannot arise: a listener has one candidate, every
  // Request or schedule offering a server certificate must name it (serverCertificateMismatch),
  // and installing a certificate clears every partner's readiness for it. It can still be found in
  // a store (a listener certificate changed outside the engine by an earlier version, a restored
  // backup, a hand edit): the engine then raises the critical alert daily and installs nothing.
  async function setup(): Promise<{ a: Party; beta: Party; gamma: Party; clock: ReturnType<typeof newClock> }> {
    const clock = newClock();
    const a = createParty({ name: 'ALPHA', clock });
    const beta = createParty({ name: 'BETA', clock, config: { settings: { autoAccept: true } } });
    const gamma = createParty({ name: 'GAMMA', clock, config: { settings: { autoAccept: true } } });
    await link(a, pki.a1, pki.alpha, beta, pki.b1, pki.beta);
    await link(a, pki.a1, pki.alpha, gamma, gamma1, partners);
    const net = createNetwork([a, beta, gamma]);
    for (const p of [beta, gamma]) {
      await net.payload(a, p);
      await net.payload(p, a);
    }
    expect((await a.engine.configureServer('HTTP', source(s1, pki.alpha, 'tls:s1'))).applied).toBe(true);
    // BETA accepts s2; GAMMA is not asked yet.
    const sent = await a.engine.sendCertificates('beta', { signing: source(pki.a1, pki.alpha, 'key:a1'), tlsServer: source(s2, pki.alpha, 'tls:s2') });
    expect(sent.channel).toBe('cem');
    await net.deliver();
    expect((await a.engine.inspect()).relationships['beta']?.serverReadiness).toMatchObject({ fingerprint: fingerprint(s2), status: 'accepted' });
    return { a, beta, gamma, clock };
  }

  it('cannot be reached through operations: another server certificate for the listener is refused while one is pending', async () => {
    const { a, clock } = await setup();
    const offered = await a.engine.sendCertificates('gamma', { signing: source(pki.a1, pki.alpha, 'key:a1'), tlsServer: source(s3, pki.alpha, 'tls:s3') });
    expect(offered).toMatchObject({ applied: false, refusal: { reason: 'serverCertificateMismatch' } });
    const scheduled = await a.engine.schedule({ relationshipId: 'gamma', side: 'local', usage: 'tlsServer', certificate: source(s3, pki.alpha, 'tls:s3'), activateAt: new Date(clock.now().getTime() + 86_400_000) });
    expect(scheduled).toMatchObject({ applied: false, refusal: { reason: 'serverCertificateMismatch' } });
    await days({ clock }, [a], 2);
    expect(a.ports.notifier.ofKind('serverCertificateConflict')).toHaveLength(0);
  });

  it('alerts daily (critical) for a stored state holding two accepted certificates, installs neither, and stops once the listener is settled', async () => {
    const { a, clock } = await setup();
    // GAMMA's record as an earlier version or a hand edit left it: accepted s3 for the same listener.
    const record = a.ports.store.snapshot()['rel/gamma'];
    if (record === undefined) throw new Error('no rel/gamma record');
    const readiness = { fingerprint: fingerprint(s3), status: 'accepted', exchangeId: null, activateAt: null, reason: null };
    const aggregate = record.value as Record<string, JsonValue>;
    const relationship = { ...(aggregate['relationship'] as Record<string, JsonValue>), serverReadiness: readiness };
    await a.ports.store.commit([{ key: 'rel/gamma', expectedVersion: record.version, value: { ...aggregate, relationship } }]);

    await a.engine.tick();
    const [conflict] = a.ports.notifier.ofKind('serverCertificateConflict');
    expect(conflict).toMatchObject({ severity: 'critical', details: { protocol: 'HTTP', fingerprints: [fingerprint(s2), fingerprint(s3)].sort() } });
    expect(conflict?.dedupeKey).toMatch(/^serverCertificateConflict:HTTP@/);
    clock.advance({ hours: 1 });
    await a.engine.tick();
    expect(a.ports.notifier.ofKind('serverCertificateConflict')).toHaveLength(1); // once per alert day
    await days({ clock }, [a], 1);
    const daily = a.ports.notifier.ofKind('serverCertificateConflict');
    expect(daily).toHaveLength(2);
    expect(daily[1]?.dedupeKey).not.toBe(daily[0]?.dedupeKey);
    // GAMMA is not ready for the candidate s2: nothing is installed, every partner keeps s1.
    expect(a.ports.installer.installs).toHaveLength(0);
    expect((await a.engine.resolve('gamma'))?.tlsServer?.fingerprint).toBe(fingerprint(s1));

    // The administrator installs the candidate: BETA's readiness is complete, one accepted certificate remains.
    expect((await a.engine.setServerActive('HTTP')).applied).toBe(true);
    expect(a.ports.installer.installs.map((i) => i.certificate.fingerprint)).toEqual([fingerprint(s2)]);
    await days({ clock }, [a], 2);
    expect(a.ports.notifier.ofKind('serverCertificateConflict')).toHaveLength(2);
    for (const id of ['beta', 'gamma']) expect((await a.engine.resolve(id))?.tlsServer?.fingerprint).toBe(fingerprint(s2));
  });
});

describe('an AS3 partner without CEM using a scheduled certificate before its time', () => {
  async function as3Pair(): Promise<{ a: Party; clock: ReturnType<typeof newClock>; at: Date }> {
    const clock = newClock();
    const a = createParty({ name: 'ALPHA', clock });
    const b = createParty({ name: 'BETA', clock });
    await link(a, pki.a1, pki.alpha, b, pki.b1, pki.beta, { protocol: 'AS3' });
    return { a, clock, at: new Date(clock.now().getTime() + 10 * 86_400_000) };
  }

  it('trusts the scheduled partner signing certificate alongside the active one, and activates it on its first use', async () => {
    const { a, clock, at } = await as3Pair();
    expect((await a.engine.schedule({ relationshipId: 'beta', side: 'partner', usage: 'signing', certificate: source(pki.b2, pki.beta), activateAt: at })).applied).toBe(true);
    await days({ clock }, [a], 2);
    const before = await a.engine.resolve('beta');
    expect(before?.verifyInbound.map((c) => c.fingerprint)).toEqual(expect.arrayContaining([fingerprint(pki.b1), fingerprint(pki.b2)]));
    expect((await a.engine.status('beta'))[0]?.status).toBe('Scheduled');
    // A file arrives over FTP signed with b2, eight days early.
    const observed = await a.engine.observeTraffic({ relationshipId: 'beta', verifiedWith: pki.b2.der });
    expect(observed.applied).toBe(true);
    const after = await a.engine.resolve('beta');
    expect(after?.verifyInbound.map((c) => c.fingerprint)).toEqual([fingerprint(pki.b2)]);
    expect(after?.verifyArchive.map((c) => c.fingerprint)).toContain(fingerprint(pki.b1));
    expect(after?.encryptOutbound?.fingerprint).toBe(fingerprint(pki.b1)); // only the signing slot moved
    expect(a.ports.notifier.ofKind('certificateActivated')).toHaveLength(0);
    const activated = a.ports.notifier.ofKind('scheduledActivated');
    expect(activated).toHaveLength(1);
    expect(activated[0]?.details).toMatchObject({ side: 'partner', usage: 'signing', cause: 'firstUsage', certificate: { fingerprint: fingerprint(pki.b2) } });
    expect((await a.engine.status('beta'))[0]?.status).toBe('Active');
    // The scheduled time passing later changes nothing more.
    await days({ clock }, [a], 10);
    expect((await a.engine.resolve('beta'))?.verifyInbound.map((c) => c.fingerprint)).toEqual([fingerprint(pki.b2)]);
    expect([...a.ports.notifier.ofKind('scheduledActivated'), ...a.ports.notifier.ofKind('certificateActivated')]).toHaveLength(1);
  });

  it('decrypts with our scheduled encryption certificate before its time, and makes it the only one once the partner encrypts to it', async () => {
    const { a, clock, at } = await as3Pair();
    expect((await a.engine.schedule({ relationshipId: 'beta', side: 'local', usage: 'encryption', certificate: source(pki.a2, pki.alpha, 'key:a2'), activateAt: at })).applied).toBe(true);
    await days({ clock }, [a], 1);
    expect((await a.engine.resolve('beta'))?.decryptInbound.map((c) => c.fingerprint)).toEqual(expect.arrayContaining([fingerprint(pki.a1), fingerprint(pki.a2)]));
    await a.engine.observeTraffic({ relationshipId: 'beta', decryptedWith: fingerprint(pki.a2) });
    const after = await a.engine.resolve('beta');
    expect(after?.decryptInbound.map((c) => c.fingerprint)).toEqual([fingerprint(pki.a2)]);
    expect(after?.decryptArchive.map((c) => c.fingerprint)).toContain(fingerprint(pki.a1));
    expect(after?.signOutbound?.fingerprint).toBe(fingerprint(pki.a1));
  });

  it('leaves a scheduled certificate scheduled when the old one is still in use', async () => {
    const { a, clock, at } = await as3Pair();
    await a.engine.schedule({ relationshipId: 'beta', side: 'partner', usage: 'signing', certificate: source(pki.b2, pki.beta), activateAt: at });
    await a.engine.observeTraffic({ relationshipId: 'beta', verifiedWith: pki.b1.der });
    expect((await a.engine.status('beta'))[0]?.status).toBe('Scheduled');
    await days({ clock }, [a], 11);
    expect((await a.engine.resolve('beta'))?.verifyInbound.map((c) => c.fingerprint)).toEqual([fingerprint(pki.b2)]);
    expect(a.ports.notifier.ofKind('scheduledActivated')).toHaveLength(1);
  });
});

describe('answering one received Request over several respond calls', () => {
  it('decides certificates one by one and sends the one Response only when the last is decided', async () => {
    const { a, b, net } = await setupPair(pki);
    const sent = await b.engine.sendCertificates('alpha', { signing: source(pki.b2, pki.beta, 'key:b2'), encryption: source(b3, pki.beta, 'key:b3') });
    expect(sent.channel).toBe('cem');
    const [delivery] = await net.deliver();
    const outcome = delivery?.outcome;
    if (outcome?.kind !== 'request') throw new Error(`expected a request, got ${JSON.stringify(outcome)}`);
    expect(outcome.certificates.map((c) => c.decision)).toEqual(['pending', 'pending']);
    expect(a.ports.notifier.ofKind('requestReceived')).toHaveLength(1);

    // First call: accept the encryption certificate. It applies at once (we encrypt to it), but
    // nothing is sent while the signing certificate waits.
    const first = await a.engine.respond(outcome.exchangeKey, [{ fingerprint: fingerprint(b3), accept: true }]);
    expect(first.applied).toBe(true);
    expect(first.effects.map((e) => e.type)).not.toContain('sendResponse');
    expect(a.ports.transport.responses).toHaveLength(0);
    const waiting = (await a.engine.inspect()).inbound[outcome.exchangeKey];
    expect(waiting?.status).toBe('awaitingDecision');
    expect(waiting?.items.map((i) => [i.cert.fingerprint, i.decision])).toEqual(expect.arrayContaining([[fingerprint(b3), 'accepted'], [fingerprint(pki.b2), 'pending']]));
    const resolved = await a.engine.resolve('beta');
    expect(resolved?.encryptOutbound?.fingerprint).toBe(fingerprint(b3));
    expect(resolved?.verifyInbound.map((c) => c.fingerprint)).toEqual([fingerprint(pki.b1)]);
    expect((await a.engine.status('beta'))[0]?.status).toBe('Pending');

    // A decided certificate is not decided again.
    const again = await a.engine.respond(outcome.exchangeKey, [{ fingerprint: fingerprint(b3), accept: false, reason: 'changed my mind' }]);
    expect(again).toMatchObject({ applied: false, refusal: { reason: 'invalidState' } });

    // Second call: reject the signing certificate. Now the Response goes out, answering both.
    const second = await a.engine.respond(outcome.exchangeKey, [{ fingerprint: fingerprint(pki.b2), accept: false, reason: 'key too short for our policy' }]);
    expect(second.applied).toBe(true);
    expect(second.effects.filter((e) => e.type === 'sendResponse')).toHaveLength(1);
    expect(a.ports.transport.responses).toHaveLength(1);
    expect(a.ports.transport.responses[0]?.requestId).toBe(sent.requestId);
    expect((await a.engine.inspect()).inbound[outcome.exchangeKey]?.status).toBe('answered');
    expect((await a.engine.respond(outcome.exchangeKey, [{ fingerprint: fingerprint(pki.b2), accept: true }])).refusal?.reason).toBe('invalidState');

    const [answer] = await net.deliver();
    expect(answer?.outcome).toMatchObject({ kind: 'response', requestId: sent.requestId });
    const items = answer?.outcome?.kind === 'response' ? answer.outcome.items : [];
    expect(items.map((i) => [i.fingerprint, i.status, i.reason])).toEqual(expect.arrayContaining([
      [fingerprint(b3), 'accepted', null],
      [fingerprint(pki.b2), 'rejected', 'key too short for our policy'],
    ]));
    expect(a.ports.transport.responses).toHaveLength(1);
    expect((await b.engine.status('alpha'))[0]?.status).toBe('Rejected');
  });
});
