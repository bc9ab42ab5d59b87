/**
 * AS2 messages and MDNs of the AS2 adapter, against openssl both ways: openssl verifies and
 * decrypts what we send; we read what `openssl cms -sign | openssl cms -encrypt` makes, posted
 * with AS2 headers over real HTTP on 127.0.0.1, and answer with a signed MDN openssl verifies.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildAs2Message, buildMdn, createAs2Handler, mdnProblem, postAs2, readAs2Message, readMdn, type As2ReceiveReport, type As2Trust,
} from '../../src/adapters/as2/index.js';
import { decryptEnveloped, encryptEnveloped } from '../../src/adapters/as2/cms-enveloped.js';
import { makePki, openssl, tempDir, type TestCert } from '../helpers/pki.js';

const pki = makePki('As2');
const alice = pki.leaf({ subject: '/O=Alice/CN=alice-as2' });
const bob = pki.leaf({ subject: '/O=Bob/CN=bob-as2' });
const mallory = pki.leaf({ subject: '/O=Mallory/CN=mallory-as2' });
const dir = tempDir('cem-as2-');
const key = (c: TestCert): string => readFileSync(c.keyPath, 'utf8');
const enc = new TextEncoder();
const dec = new TextDecoder();
const PAYLOAD = 'UNB+UNOC:3+ALICE+BOB\'\r\nUNZ+1\'\r\n';
const CAFILE = join(dir, 'ca.pem');
writeFileSync(CAFILE, pki.root.pem + pki.intermediate.pem);

function bobTrust(verify: readonly TestCert[] = [alice]): As2Trust {
  return { decrypt: [{ certificate: bob.der, key: createPrivateKey(key(bob)) }], verify: verify.map((c) => c.der), signMdn: { certificate: bob.der, chain: [pki.intermediate.der], key: key(bob) } };
}

async function aliceToBob(options: { digest?: 'sha-256' | 'sha-384' | 'sha-512'; cipher?: 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc'; sign?: boolean; encrypt?: boolean; keyTransport?: 'rsa' | 'rsa-oaep' } = {}) {
  return buildAs2Message({
    as2From: 'ALICE', as2To: 'BOB', contentType: 'application/edifact', body: enc.encode(PAYLOAD),
    sign: options.sign === false ? null : { certificate: alice.pem, chain: [pki.intermediate.pem], key: key(alice), digest: options.digest ?? 'sha-256' },
    encrypt: options.encrypt === false ? null : { certificate: bob.pem, cipher: options.cipher ?? 'aes-256-cbc', keyTransport: options.keyTransport ?? 'rsa' },
  });
}

describe('AS2 messages we build', () => {
  it.each([
    ['sha-256', 'aes-128-cbc', 'rsa'],
    ['sha-384', 'aes-192-cbc', 'rsa'],
    ['sha-512', 'aes-256-cbc', 'rsa-oaep'],
  ] as const)('signed with %s, encrypted with %s (%s): we read them back and openssl decrypts and verifies them', async (digest, cipher, keyTransport) => {
    const msg = await aliceToBob({ digest, cipher, keyTransport });
    expect(msg.headers['EDIINT-Features']).toBe('CEM, multiple-attachments');
    expect(msg.headers['Content-Type']).toMatch(/^application\/pkcs7-mime; smime-type=enveloped-data/);
    const read = await readAs2Message(msg.headers, msg.body, { decrypt: bobTrust().decrypt, verify: [alice.der] });
    if (!read.ok) throw new Error(read.detail);
    expect(dec.decode(read.body)).toBe(PAYLOAD);
    expect(read.contentType).toBe('application/edifact');
    expect(read.digest).toBe(digest);
    expect(read.cipher).toBe(cipher);
    expect(Buffer.from(read.verifiedWith ?? []).equals(Buffer.from(alice.der))).toBe(true);
    expect(read.mic).toEqual(msg.mic);
    // openssl: decrypt, then verify the multipart/signed against the CA
    const p7m = join(dir, `msg-${digest}.p7m`);
    writeFileSync(p7m, msg.body);
    const signed = openssl(['cms', '-decrypt', '-inform', 'DER', '-in', p7m, '-recip', bob.certPath, '-inkey', bob.keyPath]);
    expect(signed.toString('latin1')).toMatch(/^Content-Type: multipart\/signed; protocol="application\/pkcs7-signature"; micalg=sha-/);
    // (openssl's S/MIME reader in -binary mode keeps a stray CR before the boundary, so verify in text mode)
    const content = openssl(['cms', '-verify', '-purpose', 'any', '-CAfile', CAFILE], signed).toString('latin1');
    const entity = `Content-Type: application/edifact\r\nContent-Transfer-Encoding: binary\r\n\r\n${PAYLOAD}`;
    expect(content.replace(/\r?\n/g, '\r\n')).toBe(entity);
    // the MIC is the digest of the signed entity (RFC 4130 §7.3.1)
    expect(msg.mic.value).toBe(createHash(digest.replace('-', '')).update(entity).digest('base64'));
  });

  it('unsigned and unencrypted variants read back when the agreement allows them, and are refused when it does not', async () => {
    for (const variant of [{ sign: false }, { encrypt: false }, { sign: false, encrypt: false }]) {
      const msg = await aliceToBob(variant);
      const lax = await readAs2Message(msg.headers, msg.body, { decrypt: bobTrust().decrypt, verify: [alice.der], requireSigned: false, requireEncrypted: false });
      expect(lax.ok && dec.decode(lax.body)).toBe(PAYLOAD);
      expect(lax.mic).toEqual(msg.mic);
      const strict = await readAs2Message(msg.headers, msg.body, { decrypt: bobTrust().decrypt, verify: [alice.der] });
      expect(strict.ok ? 'ok' : strict.modifier).toBe('insufficient-message-security');
    }
  });

  it('reports decryption-failed, authentication-failed and integrity-check-failed', async () => {
    const msg = await aliceToBob();
    const wrongKey = await readAs2Message(msg.headers, msg.body, { decrypt: [{ certificate: mallory.der, key: createPrivateKey(key(mallory)) }], verify: [alice.der] });
    expect(wrongKey.ok ? 'ok' : wrongKey.modifier).toBe('decryption-failed');
    const untrusted = await readAs2Message(msg.headers, msg.body, { decrypt: bobTrust().decrypt, verify: [mallory.der] });
    expect(untrusted.ok ? 'ok' : untrusted.modifier).toBe('authentication-failed');
    const signedOnly = await aliceToBob({ encrypt: false });
    const text = Buffer.from(signedOnly.body).toString('latin1').replace('UNZ+1', 'UNZ+2');
    const tampered = await readAs2Message(signedOnly.headers, Buffer.from(text, 'latin1'), { decrypt: [], verify: [alice.der], requireEncrypted: false });
    expect(tampered.ok ? 'ok' : tampered.modifier).toBe('integrity-check-failed');
  });
});

describe('decryption with a wrong key', () => {
  it('never counts random content keys with valid padding as a decryption (1,000 tries, ~4 would pass the padding)', () => {
    const entity = enc.encode(`Content-Type: application/edifact\r\n\r\n${PAYLOAD}`);
    const wrong = [{ certificate: mallory.der, key: createPrivateKey(key(mallory)) }];
    const right = [{ certificate: bob.der, key: createPrivateKey(key(bob)) }];
    const p7m = encryptEnveloped(entity, bob.der, 'aes-128-cbc', 'rsa');
    const readBack = decryptEnveloped(p7m, right);
    expect(readBack.ok && dec.decode(readBack.content)).toBe(dec.decode(entity));
    let accepted = 0;
    for (let i = 0; i < 1000; i++) if (decryptEnveloped(p7m, wrong).ok) accepted++;
    expect(accepted).toBe(0);
  });

  it('refuses content that is not a MIME entity even under the right key (what a lucky wrong key yields)', () => {
    const right = [{ certificate: bob.der, key: createPrivateKey(key(bob)) }];
    for (const content of [enc.encode(PAYLOAD), new Uint8Array([0x8f, 0x00, 0x3a, 0x41]), enc.encode('X-Other: 1\r\n\r\nbody')]) {
      const result = decryptEnveloped(encryptEnveloped(content, bob.der, 'aes-256-cbc', 'rsa'), right);
      expect(result.ok ? 'ok' : result.detail).toBe('none of our certificates decrypts this message');
    }
    const lf = decryptEnveloped(encryptEnveloped(enc.encode('content-type: text/plain\n\nhi'), bob.der, 'aes-256-cbc', 'rsa'), right);
    expect(lf.ok).toBe(true);
  });
});

describe('MDNs', () => {
  it('a signed MDN verifies with openssl and with readMdn, and its MIC matches the message', async () => {
    const msg = await aliceToBob();
    const read = await readAs2Message(msg.headers, msg.body, { decrypt: bobTrust().decrypt, verify: [alice.der] });
    if (!read.ok) throw new Error(read.detail);
    const mdn = await buildMdn({ as2From: 'BOB', as2To: 'ALICE', originalMessageId: msg.messageId, disposition: {}, mic: read.mic, sign: bobTrust().signMdn });
    expect(mdn.headers['EDIINT-Features']).toBe('CEM, multiple-attachments');
    const entity = Buffer.concat([Buffer.from(`Content-Type: ${mdn.headers['Content-Type']}\r\n\r\n`), mdn.body]);
    const report = openssl(['cms', '-verify', '-purpose', 'any', '-CAfile', CAFILE], entity).toString('latin1');
    expect(report).toMatch(/Disposition: automatic-action\/MDN-sent-automatically; processed\r?\n/);
    const back = await readMdn(mdn.headers, mdn.body, { verify: [bob.der] });
    if (!back.ok) throw new Error(back.detail);
    expect(back.disposition).toMatchObject({ type: 'processed', modifierKind: null });
    expect(mdnProblem(back, { messageId: msg.messageId, micContent: msg.micContent, mic: msg.mic, signedReceipt: true })).toBeNull();
    expect(mdnProblem(back, { messageId: '<other@x>', micContent: msg.micContent, mic: msg.mic, signedReceipt: true })).toMatch(/answers/);
    const unsigned = await buildMdn({ as2From: 'BOB', as2To: 'ALICE', originalMessageId: msg.messageId, disposition: { modifierKind: 'error', modifier: 'decryption-failed' }, mic: null, sign: null });
    const failed = await readMdn(unsigned.headers, unsigned.body, { verify: [bob.der] });
    if (!failed.ok) throw new Error(failed.detail);
    expect(failed.disposition).toMatchObject({ type: 'processed', modifierKind: 'error', modifier: 'decryption-failed' });
    expect(mdnProblem(failed, { messageId: msg.messageId, micContent: msg.micContent, mic: msg.mic, signedReceipt: true })).toMatch(/not signed/);
    const forged = await readMdn(mdn.headers, mdn.body, { verify: [mallory.der] });
    expect(forged.ok).toBe(false);
  });
});

describe('messages made by openssl, posted over HTTP', () => {
  let server: Server;
  let url = '';
  const reports: As2ReceiveReport[] = [];
  beforeAll(async () => {
    server = createServer(createAs2Handler({
      trust: async (from, to) => (from === 'ALICE' && to === 'BOB' ? bobTrust() : null),
      process: async () => undefined,
      onReport: (r) => reports.push(r),
    }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/as2`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([['sha1', '-des3', 'des-ede3-cbc'], ['sha256', '-aes128', 'aes-128-cbc'], ['sha512', '-aes256', 'aes-256-cbc']])(
    'openssl cms -sign -md %s | openssl cms -encrypt %s: read, and a signed MDN with the right MIC comes back',
    async (md, cipherFlag, cipher) => {
      const entity = `Content-Type: application/edifact\r\n\r\n${PAYLOAD}`;
      const entityPath = join(dir, `in-${md}.txt`);
      writeFileSync(entityPath, entity);
      const signed = openssl(['cms', '-sign', '-in', entityPath, '-signer', alice.certPath, '-inkey', alice.keyPath, '-md', md, '-crlfeol']);
      const p7m = openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', cipherFlag, bob.certPath], signed);
      const headers = {
        'AS2-Version': '1.2', 'AS2-From': 'ALICE', 'AS2-To': 'BOB', 'Message-ID': `<openssl-${md}@alice.test>`,
        'Content-Type': 'application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m',
        'Disposition-Notification-To': 'as2@alice.test',
        'Disposition-Notification-Options': `signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, ${md.replace('sha', 'sha-')}`,
      };
      const response = await postAs2(url, headers, p7m);
      expect(response.status).toBe(200);
      const last = reports.at(-1);
      expect(last?.disposition).toBe('processed');
      expect(last?.read?.cipher).toBe(cipher);
      expect(dec.decode(last?.read?.body)).toBe(PAYLOAD);
      const mdn = await readMdn(response.headers, response.body, { verify: [bob.der] });
      if (!mdn.ok) throw new Error(mdn.detail);
      expect(mdn.originalMessageId).toBe(headers['Message-ID']);
      expect(mdn.mic?.value).toBe(createHash(md).update(entity).digest('base64'));
      expect(mdn.features).toBe('CEM, multiple-attachments');
    },
  );

  it('an openssl message encrypted to someone else gets processed/error: decryption-failed, unsigned', async () => {
    const signed = openssl(['cms', '-sign', '-in', join(dir, 'in-sha256.txt'), '-signer', alice.certPath, '-inkey', alice.keyPath, '-crlfeol']);
    const p7m = openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-aes256', mallory.certPath], signed);
    const response = await postAs2(url, {
      'AS2-From': 'ALICE', 'AS2-To': 'BOB', 'Message-ID': '<wrong@alice.test>', 'Content-Type': 'application/pkcs7-mime; smime-type=enveloped-data',
      'Disposition-Notification-To': 'x', 'Disposition-Notification-Options': 'signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256',
    }, p7m);
    const mdn = await readMdn(response.headers, response.body, { verify: [bob.der] });
    if (!mdn.ok) throw new Error(mdn.detail);
    expect(mdn.disposition).toMatchObject({ modifierKind: 'error', modifier: 'decryption-failed' });
    expect(mdn.verifiedWith).not.toBeNull();
  });
});

describe('compressed-data (RFC 3274; this openssl has no zlib, so the test builds the CompressedData with asn1js)', () => {
  const compressedData = async (entity: Uint8Array): Promise<Uint8Array> => {
    const asn1js = await import('asn1js');
    const { deflateSync } = await import('node:zlib');
    const info = new asn1js.Sequence({ value: [
      new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.9.16.1.9' }),
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.Sequence({ value: [
        new asn1js.Integer({ value: 0 }),
        new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.9.16.3.8' })] }),
        new asn1js.Sequence({ value: [
          new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.7.1' }),
          new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.OctetString({ valueHex: deflateSync(entity) })] }),
        ] }),
      ] })] }),
    ] });
    return new Uint8Array(info.toBER(false));
  };

  it('a compressed, signed, encrypted message reads back (compress before sign), and a decompression bomb is refused', async () => {
    const entity = enc.encode(`Content-Type: application/edifact\r\n\r\n${PAYLOAD}`);
    const msg = await buildAs2Message({
      as2From: 'ALICE', as2To: 'BOB', contentType: 'application/pkcs7-mime; smime-type=compressed-data; name=smime.p7z', body: await compressedData(entity),
      sign: { certificate: alice.pem, key: key(alice) }, encrypt: { certificate: bob.pem },
    });
    const read = await readAs2Message(msg.headers, msg.body, { decrypt: bobTrust().decrypt, verify: [alice.der] });
    if (!read.ok) throw new Error(read.detail);
    expect(read.compressed).toBe(true);
    expect(dec.decode(read.body)).toBe(PAYLOAD);
    expect(read.mic).toEqual(msg.mic); // the MIC covers the signed (compressed) entity
    const bomb = await buildAs2Message({
      as2From: 'ALICE', as2To: 'BOB', contentType: 'application/pkcs7-mime; smime-type=compressed-data', body: await compressedData(new Uint8Array(4 * 1024 * 1024)),
      sign: { certificate: alice.pem, key: key(alice) }, encrypt: { certificate: bob.pem },
    });
    const refused = await readAs2Message(bomb.headers, bomb.body, { decrypt: bobTrust().decrypt, verify: [alice.der], maxBytes: 1024 * 1024 });
    expect(refused.ok ? 'ok' : refused.modifier).toBe('decompression-failed');
  });
});

describe('bounded HTTP', () => {
  it('the client gives up after its timeout and refuses an oversized response; the handler refuses an oversized body', async () => {
    const silent = createServer(() => undefined);
    const chatty = createServer((_req, res) => res.end(Buffer.alloc(64 * 1024)));
    const handler = createServer(createAs2Handler({ trust: async () => null, process: async () => undefined, maxBytes: 1024 }));
    const servers = [silent, chatty, handler];
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
    const url = (s: Server): string => `http://127.0.0.1:${(s.address() as AddressInfo).port}/as2`;
    try {
      const started = Date.now();
      await expect(postAs2(url(silent), {}, new Uint8Array(1), { timeoutMs: 300 })).rejects.toMatchObject({ code: 'CEM_AS2_HTTP', message: expect.stringMatching(/within 300 ms/) });
      expect(Date.now() - started).toBeLessThan(3000);
      await expect(postAs2(url(chatty), {}, new Uint8Array(1), { maxResponseBytes: 1024 })).rejects.toMatchObject({ code: 'CEM_AS2_HTTP', message: expect.stringMatching(/larger than 1024 bytes/) });
      const tooBig = await postAs2(url(handler), { 'AS2-From': 'A', 'AS2-To': 'B', 'Message-ID': '<x@a>' }, new Uint8Array(4096));
      expect(tooBig.status).toBe(413);
      const noHeaders = await postAs2(url(handler), {}, new Uint8Array(10));
      expect(noHeaders.status).toBe(400);
    } finally {
      silent.closeAllConnections();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    }
  });
});
