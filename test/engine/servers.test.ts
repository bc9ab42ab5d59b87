import { beforeAll, describe, expect, it } from 'vitest';
import type { CemPorts } from '../../src/ports/ports.js';
import { makePki, type TestCert, type TestPki } from '../helpers/pki.js';
import { createNetwork, createParty, days, fingerprint, link, newClock, source, type Party } from './harness.js';

let alpha: TestPki;
let partners: TestPki;
let a1: TestCert;
let s1: TestCert;
let s2: TestCert;
let leaves: TestCert[];
beforeAll(() => {
  alpha = makePki('Alpha');
  partners = makePki('Partners');
  a1 = alpha.leaf({ subject: '/O=Alpha/CN=as2 alpha 1' });
  s1 = alpha.leaf({ subject: '/O=Alpha/CN=alpha.test', extendedKeyUsage: 'serverAuth' });
  s2 = alpha.leaf({ subject: '/O=Alpha/CN=alpha.test 2026', extendedKeyUsage: 'serverAuth' });
  leaves = ['Beta', 'Gamma', 'Delta'].map((n) => partners.leaf({ subject: `/O=${n}/CN=as2 ${n.toLowerCase()}` }));
});

async function setup(options: { installer?: boolean } = {}): Promise<{ a: Party; others: Party[]; net: ReturnType<typeof createNetwork>; clock: ReturnType<typeof newClock> }> {
  const clock = newClock();
  const noInstaller = (ports: CemPorts): CemPorts => {
    const { servers: _servers, ...rest } = ports;
    return rest;
  };
  const a = createParty({ name: 'ALPHA', clock, ...(options.installer === false ? { wrap: noInstaller } : {}) });
  const others = ['BETA', 'GAMMA', 'DELTA'].map((name) => createParty({ name, clock }));
  for (const [i, p] of others.entries()) await link(a, a1, alpha, p, leaves[i]!, partners);
  const net = createNetwork([a, ...others]);
  for (const p of others) await net.payload(a, p);
  for (const p of others) await net.payload(p, a);
  const configured = await a.engine.configureServer('HTTP', source(s1, alpha, 'tls:s1'));
  expect(configured.applied).toBe(true);
  return { a, others, net, clock };
}

async function sendServerCertificate(a: Party, others: readonly Party[]): Promise<void> {
  for (const p of others) {
    const sent = await a.engine.sendCertificates(p.host, { signing: source(a1, alpha, 'key:a1'), tlsServer: source(s2, alpha, 'tls:s2') });
    expect(sent.channel).toBe('cem');
  }
}

/** BETA and GAMMA auto-accept the new server certificate s2; DELTA rejects it with `reason`. */
async function deltaRejects(reason: string): Promise<Awaited<ReturnType<typeof setup>>> {
  const ctx = await setup();
  const [beta, gamma, delta] = ctx.others as [Party, Party, Party];
  await beta.engine.updateSettings({ autoAccept: true });
  await gamma.engine.updateSettings({ autoAccept: true });
  await sendServerCertificate(ctx.a, ctx.others);
  const deliveries = await ctx.net.deliver();
  const request = deliveries.find((d) => d.to === 'DELTA')?.outcome;
  if (request?.kind !== 'request') throw new Error('expected a request at DELTA');
  await delta.engine.respond(request.exchangeKey, [{ fingerprint: fingerprint(s2), accept: false, reason }]);
  await ctx.net.deliver();
  return ctx;
}

describe('rolling over our TLS server certificate across the partners of a listener', () => {
  it('installs it exactly once, through the installer port, when every partner accepted', async () => {
    const { a, others, net } = await setup();
    for (const p of others) await p.engine.updateSettings({ autoAccept: true });
    await sendServerCertificate(a, others);
    expect(a.ports.transport.requests).toHaveLength(3);
    await net.deliver();
    expect(a.ports.installer.installs).toHaveLength(1);
    const [install] = a.ports.installer.installs;
    expect(install?.protocol).toBe('HTTP');
    expect(install?.certificate).toMatchObject({ fingerprint: fingerprint(s2), keyRef: 'tls:s2' });
    expect(install?.certificate.chain).toHaveLength(2);
    for (const p of others) expect((await a.engine.resolve(p.host))?.tlsServer?.fingerprint).toBe(fingerprint(s2));
    await a.engine.tick();
    expect(a.ports.installer.installs).toHaveLength(1);
    const [status] = await a.engine.status('beta');
    expect(status?.certificates.find((c) => c.fingerprint === fingerprint(s1))?.status).toBe('Archived');
  });

  it('holds it back when one partner rejects (alert, daily pending alerts), until the administrator sets it active', async () => {
    const { a, clock } = await deltaRejects('our firewall pins alpha.test');
    expect(a.ports.installer.installs).toHaveLength(0);
    const [rejected] = a.ports.notifier.ofKind('serverCertificateRejected');
    expect(rejected?.relationshipId).toBe('delta');
    await days({ clock }, [a], 3);
    expect(a.ports.installer.installs).toHaveLength(0);
    expect((await a.engine.resolve('beta'))?.tlsServer?.fingerprint).toBe(fingerprint(s1));
    const forced = await a.engine.setServerActive('HTTP');
    expect(forced.applied).toBe(true);
    expect(a.ports.installer.installs.map((i) => i.certificate.fingerprint)).toEqual([fingerprint(s2)]);
    expect((await a.engine.resolve('delta'))?.tlsServer?.fingerprint).toBe(fingerprint(s2));
  });

  it('asks a human to install it when the host has no installer port, and records the confirmation', async () => {
    const { a, others, net } = await setup({ installer: false });
    for (const p of others) await p.engine.updateSettings({ autoAccept: true });
    await sendServerCertificate(a, others);
    await net.deliver();
    const [needed] = a.ports.notifier.ofKind('serverCertificateInstallNeeded');
    expect(needed?.details).toMatchObject({ protocol: 'HTTP', fingerprint: fingerprint(s2), keyRef: 'tls:s2' });
    expect((await a.engine.resolve('beta'))?.tlsServer?.fingerprint).toBe(fingerprint(s1));
    const confirmed = await a.engine.serverInstalled('HTTP', fingerprint(s2));
    expect(confirmed.applied).toBe(true);
    expect((await a.engine.resolve('beta'))?.tlsServer?.fingerprint).toBe(fingerprint(s2));
  });

  it('installs a scheduled server certificate once every partner on the listener has it scheduled and the time has come', async () => {
    const { a, others, clock } = await setup();
    const at = new Date(clock.now().getTime() + 3 * 86_400_000);
    for (const p of others.slice(0, 2)) {
      const r = await a.engine.schedule({ relationshipId: p.host, side: 'local', usage: 'tlsServer', certificate: source(s2, alpha, 'tls:s2'), activateAt: at });
      expect(r.applied).toBe(true);
    }
    await days({ clock }, [a], 4);
    expect(a.ports.installer.installs).toHaveLength(0);
    expect(a.ports.notifier.ofKind('serverCertificatePending').length).toBeGreaterThan(0);
    await a.engine.schedule({ relationshipId: 'delta', side: 'local', usage: 'tlsServer', certificate: source(s2, alpha, 'tls:s2'), activateAt: at });
    await a.engine.tick();
    expect(a.ports.installer.installs.map((i) => i.certificate.fingerprint)).toEqual([fingerprint(s2)]);
  });

  it('keeps one candidate per listener: a later exchange offering another server certificate is refused', async () => {
    const { a, others } = await setup();
    const [beta, gamma] = others as [Party, Party, Party];
    await a.engine.sendCertificates(beta.host, { signing: source(a1, alpha, 'key:a1'), tlsServer: source(s2, alpha, 'tls:s2') });
    const other = alpha.leaf({ subject: '/O=Alpha/CN=alpha.test other', extendedKeyUsage: 'serverAuth' });
    const refused = await a.engine.sendCertificates(gamma.host, { signing: source(a1, alpha, 'key:a1'), tlsServer: source(other, alpha, 'tls:other') });
    expect(refused).toMatchObject({ applied: false, refusal: { reason: 'serverCertificateMismatch' } });
    const same = await a.engine.sendCertificates(gamma.host, { signing: source(a1, alpha, 'key:a1'), tlsServer: source(s2, alpha, 'tls:s2') });
    expect(same.applied).toBe(true);
  });

  it('withdraws a rejected candidate: nothing is installed, the daily reminder stops and another server certificate can be sent', async () => {
    const { a, others, clock } = await deltaRejects('pinned');
    const [beta, , delta] = others as [Party, Party, Party];
    const other = alpha.leaf({ subject: '/O=Alpha/CN=alpha.test 2027', extendedKeyUsage: 'serverAuth' });
    const blocked = await a.engine.sendCertificates(delta.host, { signing: source(a1, alpha, 'key:a1'), tlsServer: source(other, alpha, 'tls:other') });
    expect(blocked).toMatchObject({ applied: false, refusal: { reason: 'serverCertificateMismatch' } });

    const withdrawn = await a.engine.withdrawServerCandidate('HTTP');
    expect(withdrawn).toMatchObject({ applied: true, refusal: null });
    expect(withdrawn.effects).toEqual([{ type: 'archiveCertificate', relationshipId: null, side: 'local', usage: 'tlsServer', fingerprint: fingerprint(s2) }]);
    const state = await a.engine.inspect();
    expect(state.servers.HTTP?.candidate).toBeNull();
    for (const p of others) expect(state.relationships[p.host]?.serverReadiness).toBeNull();
    const [status] = await a.engine.status('delta');
    expect(status?.certificates.find((c) => c.fingerprint === fingerprint(s2))).toMatchObject({ status: 'Archived', reason: 'cancelled' });
    const before = a.ports.notifier.ofKind('serverCertificatePending').length;
    await days({ clock }, [a], 3);
    expect(a.ports.notifier.ofKind('serverCertificatePending')).toHaveLength(before);
    expect(a.ports.installer.installs).toHaveLength(0);
    expect((await a.engine.withdrawServerCandidate('HTTP'))).toMatchObject({ applied: false, refusal: { reason: 'invalidState' } });

    const sent = await a.engine.sendCertificates(beta.host, { signing: source(a1, alpha, 'key:a1'), tlsServer: source(other, alpha, 'tls:other') });
    expect(sent).toMatchObject({ applied: true, channel: 'cem' });
    expect((await a.engine.inspect()).servers.HTTP?.candidate?.cert.fingerprint).toBe(fingerprint(other));
  });
});
