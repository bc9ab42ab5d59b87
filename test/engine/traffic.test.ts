import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openssl, tempDir, type TestCert } from '../helpers/pki.js';
import { fingerprint, setupPair, source, twoPartnerPki, type Pair } from './harness.js';

type Pki = ReturnType<typeof twoPartnerPki>;
let pki: Pki;
let dir: string;
beforeAll(() => {
  pki = twoPartnerPki();
  dir = tempDir('cem-traffic-');
  writeFileSync(join(dir, 'payload.edi'), 'ISA*00*~');
});

function envelopedTo(cert: TestCert, keyId = false): Uint8Array {
  return new Uint8Array(openssl(['cms', '-encrypt', '-binary', '-in', join(dir, 'payload.edi'), '-outform', 'DER', ...(keyId ? ['-keyid'] : []), '-aes256', cert.certPath]));
}

function signedBy(cert: TestCert): Uint8Array {
  return new Uint8Array(openssl(['cms', '-sign', '-binary', '-nodetach', '-in', join(dir, 'payload.edi'), '-signer', cert.certPath, '-inkey', cert.keyPath, '-outform', 'DER']));
}

/** Both sides sent new certificates and accepted the other's: every first usage is still open. */
async function swapped(): Promise<Pair> {
  const pair = await setupPair(pki, { a: { settings: { autoAccept: true } }, b: { settings: { autoAccept: true } } });
  await pair.a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') });
  await pair.b.engine.sendCertificates('alpha', { signing: source(pki.b2, pki.beta, 'key:b2') });
  // Carry requests, then responses, by hand: no traffic is observed on the way.
  for (const kind of ['request', 'response'] as const) {
    for (const [from, to, signer] of [[pair.a, pair.b, pki.a1], [pair.b, pair.a, pki.b1]] as const) {
      for (const m of kind === 'request' ? from.ports.transport.requests : from.ports.transport.responses) {
        const outcome = await to.engine.receive({ body: { contentType: m.contentType, body: m.body }, headers: { 'AS2-From': m.as2From, 'AS2-To': m.as2To, 'Message-ID': `<${kind}-${m.requestId}>` }, verifiedBy: signer.der });
        expect(outcome.kind).toBe(kind);
      }
    }
  }
  return pair;
}

describe('observing traffic for first usage', () => {
  it('finds our certificate a raw CMS EnvelopedData was encrypted to (issuer and serial, or key id) and switches to it', async () => {
    const { a } = await swapped();
    expect((await a.engine.resolve('beta'))?.decryptInbound.map((c) => c.fingerprint)).toEqual([fingerprint(pki.a1), fingerprint(pki.a2)]);
    const old = await a.engine.observeTraffic({ relationshipId: 'beta', decryptedWith: envelopedTo(pki.a1) });
    expect(old.applied).toBe(false);
    const used = await a.engine.observeTraffic({ relationshipId: 'beta', decryptedWith: envelopedTo(pki.a2, true) });
    expect(used.applied).toBe(true);
    expect((await a.engine.resolve('beta'))?.decryptInbound.map((c) => c.fingerprint)).toEqual([fingerprint(pki.a2)]);
  });

  it('finds the partner certificate a raw CMS SignedData was signed with, and archives the old one', async () => {
    const { a } = await swapped();
    expect((await a.engine.resolve('beta'))?.verifyInbound).toHaveLength(2);
    await a.engine.observeTraffic({ relationshipId: 'beta', verifiedWith: signedBy(pki.b2) });
    const resolved = await a.engine.resolve('beta');
    expect(resolved?.verifyInbound.map((c) => c.fingerprint)).toEqual([fingerprint(pki.b2)]);
    expect(resolved?.verifyArchive.map((c) => c.fingerprint)).toContain(fingerprint(pki.b1));
  });

  it('takes fingerprints in any case with colons and certificates as PEM; a CMS naming none of ours observes nothing', async () => {
    const { a } = await swapped();
    const colons = fingerprint(pki.b2).toUpperCase().match(/../g)!.join(':');
    const byPrint = await a.engine.observeTraffic({ relationshipId: 'beta', verifiedWith: colons });
    expect(byPrint.applied).toBe(true);
    const stranger = pki.beta.leaf({ subject: '/O=Elsewhere/CN=stranger' });
    const none = await a.engine.observeTraffic({ relationshipId: 'beta', decryptedWith: envelopedTo(stranger) });
    expect(none.applied).toBe(false);
    const pem = await a.engine.observeTraffic({ relationshipId: 'beta', decryptedWith: pki.a2.pem });
    expect(pem.applied).toBe(true);
  });

  it('refuses bytes that are neither a certificate nor CMS with CEM_CMS_INVALID, and TLS fields that are not certificates with CEM_ARGUMENT', async () => {
    const { a } = await swapped();
    await expect(a.engine.observeTraffic({ relationshipId: 'beta', decryptedWith: new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]) })).rejects.toMatchObject({ code: 'CEM_CMS_INVALID' });
    await expect(a.engine.observeTraffic({ relationshipId: 'beta', partnerTlsServer: envelopedTo(pki.a2) })).rejects.toMatchObject({ code: 'CEM_ARGUMENT' });
  });
});
