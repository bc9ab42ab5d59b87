import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCertificate, type CertificateInfo } from '../../src/crypto/certificate.js';
import { certificateMatchesIdentifier, getRecipientIdentifiers, getSignerIdentifiers, type RecipientId } from '../../src/crypto/cms.js';
import { makePki, openssl, tempDir, type TestCert, type TestPki } from '../helpers/pki.js';

let pki: TestPki;
let alice: TestCert;
let bob: TestCert;
let ecCarol: TestCert;
let dataPath: string;

const info = (cert: TestCert): CertificateInfo => readCertificate(cert.der);
const byIssuerSerial = (cert: TestCert): RecipientId => ({ kind: 'issuerSerial', issuer: info(cert).issuer, serial: cert.serial });
const byKeyId = (cert: TestCert): RecipientId => ({ kind: 'subjectKeyIdentifier', keyId: info(cert).subjectKeyIdentifier as string });
/** openssl writes SignerInfos and RecipientInfos as DER SETs (sorted), so the command-line order is lost. */
const unordered = (ids: readonly RecipientId[]): string[] => ids.map((id) => JSON.stringify(id)).sort();

function sign(args: readonly string[], signers: readonly TestCert[] = [alice]): Buffer {
  const signerArgs = signers.flatMap((s) => ['-signer', s.certPath, '-inkey', s.keyPath]);
  return openssl(['cms', '-sign', '-in', dataPath, ...signerArgs, ...args]);
}

function encrypt(args: readonly string[], recipients: readonly TestCert[]): Buffer {
  return openssl(['cms', '-encrypt', '-in', dataPath, ...args, ...recipients.map((r) => r.certPath)]);
}

/** The application/pkcs7-signature part (headers and body) of an S/MIME multipart/signed message. */
function signaturePart(smime: string): string {
  const boundary = (/boundary="([^"]+)"/.exec(smime) as RegExpExecArray)[1] as string;
  const part = smime.split(`--${boundary}`).find((p) => /^\s*Content-Type: application\/(x-)?pkcs7-signature/i.test(p)) as string;
  return part.replace(/^\r?\n/, '');
}

beforeAll(() => {
  const dir = tempDir();
  dataPath = join(dir, 'data.txt');
  writeFileSync(dataPath, 'EDI payload\n');
  pki = makePki('Cms');
  alice = pki.leaf({ bits: 1024, subject: '/C=US/O=Alice Corp/CN=alice.cms.test', serial: (1n << 152n) + 77n });
  bob = pki.leaf({ bits: 1024, subject: '/C=US/O=Bob Corp/CN=bob.cms.test' });
  ecCarol = pki.leaf({ keyType: 'ec', subject: '/CN=carol.cms.test', keyUsage: 'digitalSignature,keyAgreement' });
});

describe('getSignerIdentifiers', () => {
  it('gives issuer (RFC 4514) and decimal serial for openssl cms -sign', () => {
    const ids = getSignerIdentifiers(sign(['-outform', 'DER']));
    expect(ids).toEqual([byIssuerSerial(alice)]);
    expect(certificateMatchesIdentifier(info(alice), ids[0] as RecipientId)).toBe(true);
    expect(certificateMatchesIdentifier(info(bob), ids[0] as RecipientId)).toBe(false);
  });

  it('gives the subject key identifier for openssl cms -sign -keyid', () => {
    const ids = getSignerIdentifiers(sign(['-keyid', '-outform', 'DER']));
    expect(ids).toEqual([byKeyId(alice)]);
    expect(certificateMatchesIdentifier(info(alice), ids[0] as RecipientId)).toBe(true);
  });

  it('lists every signer', () => {
    const ids = getSignerIdentifiers(sign(['-outform', 'DER'], [alice, bob]));
    expect(unordered(ids)).toEqual(unordered([byIssuerSerial(alice), byIssuerSerial(bob)]));
  });

  it('reads PEM (CMS label), S/MIME entities and streamed BER', () => {
    const pem = sign(['-outform', 'PEM']).toString('utf8');
    expect(pem).toContain('-----BEGIN CMS-----');
    const attached = sign(['-nodetach']).toString('utf8');
    expect(attached).toMatch(/Content-Type: application\/(x-)?pkcs7-mime/);
    const streamed = sign(['-stream', '-nodetach', '-outform', 'DER']);
    expect(streamed[1]).toBe(0x80);
    for (const input of [pem, attached, new Uint8Array(streamed)]) expect(getSignerIdentifiers(input)).toEqual([byIssuerSerial(alice)]);
  });

  it('reads the pkcs7-signature part of openssl smime -sign (PKCS #7 v1.5)', () => {
    const smime = openssl(['smime', '-sign', '-in', dataPath, '-signer', bob.certPath, '-inkey', bob.keyPath]).toString('utf8');
    const part = signaturePart(smime);
    expect(getSignerIdentifiers(part)).toEqual([byIssuerSerial(bob)]);
    expect(getSignerIdentifiers(part.slice(part.search(/\r?\n\r?\n/)).trim())).toEqual([byIssuerSerial(bob)]);
    const pem = openssl(['smime', '-sign', '-in', dataPath, '-signer', bob.certPath, '-inkey', bob.keyPath, '-outform', 'PEM']).toString('utf8');
    expect(pem).toContain('-----BEGIN PKCS7-----');
    expect(getSignerIdentifiers(pem)).toEqual([byIssuerSerial(bob)]);
  });

  it('gives no signer for a certs-only message', () => {
    const chain = join(tempDir(), 'c.pem');
    writeFileSync(chain, alice.pem);
    expect(getSignerIdentifiers(openssl(['crl2pkcs7', '-nocrl', '-certfile', chain, '-outform', 'DER']))).toEqual([]);
  });

  it.each([
    ['an EnvelopedData', () => encrypt(['-outform', 'DER'], [alice])],
    ['a whole multipart/signed message', () => openssl(['smime', '-sign', '-in', dataPath, '-signer', bob.certPath, '-inkey', bob.keyPath])],
    ['garbage', () => Buffer.from('30030201', 'hex')],
  ])('refuses %s with CEM_CMS_INVALID', (_, make) => {
    expect(() => getSignerIdentifiers(new Uint8Array(make()))).toThrow(expect.objectContaining({ code: 'CEM_CMS_INVALID' }));
  });
});

describe('getRecipientIdentifiers', () => {
  it('gives issuer and serial of each key transport recipient', () => {
    expect(getRecipientIdentifiers(encrypt(['-outform', 'DER'], [alice]))).toEqual([byIssuerSerial(alice)]);
    const two = getRecipientIdentifiers(encrypt(['-outform', 'DER'], [alice, bob]));
    expect(unordered(two)).toEqual(unordered([byIssuerSerial(bob), byIssuerSerial(alice)]));
  });

  it('gives subject key identifiers with -keyid', () => {
    const ids = getRecipientIdentifiers(encrypt(['-keyid', '-outform', 'DER'], [alice, bob]));
    expect(unordered(ids)).toEqual(unordered([byKeyId(alice), byKeyId(bob)]));
    expect(ids.filter((id) => certificateMatchesIdentifier(info(bob), id))).toEqual([byKeyId(bob)]);
  });

  it('reads key agreement recipients (EC), by issuer and serial or by key identifier', () => {
    const enveloped = encrypt(['-outform', 'DER'], [ecCarol, alice]);
    expect(openssl(['cms', '-cmsout', '-print', '-inform', 'DER'], enveloped).toString('utf8')).toContain('d.kari');
    const mixed = getRecipientIdentifiers(enveloped);
    expect(unordered(mixed)).toEqual(unordered([byIssuerSerial(ecCarol), byIssuerSerial(alice)]));
    expect(getRecipientIdentifiers(encrypt(['-keyid', '-outform', 'DER'], [ecCarol]))).toEqual([byKeyId(ecCarol)]);
  });

  it('reads AuthEnvelopedData (AES-GCM), S/MIME entities and PEM', () => {
    expect(getRecipientIdentifiers(encrypt(['-aes-256-gcm', '-outform', 'DER'], [bob]))).toEqual([byIssuerSerial(bob)]);
    const smime = encrypt([], [alice]).toString('utf8');
    expect(smime).toMatch(/Content-Type: application\/(x-)?pkcs7-mime/);
    expect(getRecipientIdentifiers(smime)).toEqual([byIssuerSerial(alice)]);
    expect(getRecipientIdentifiers(encrypt(['-outform', 'PEM'], [alice]).toString('utf8'))).toEqual([byIssuerSerial(alice)]);
  });

  it('reports KEK and password recipients as other', () => {
    const kek = openssl(['cms', '-encrypt', '-in', dataPath, '-aes128', '-secretkey', '000102030405060708090a0b0c0d0e0f', '-secretkeyid', 'c0ffee', '-outform', 'DER']);
    expect(getRecipientIdentifiers(kek)).toEqual([{ kind: 'other', recipientInfo: 'kekri' }]);
    const pwri = openssl(['cms', '-encrypt', '-in', dataPath, '-aes128', '-pwri_password', 'secret', '-outform', 'DER']);
    expect(getRecipientIdentifiers(pwri)).toEqual([{ kind: 'other', recipientInfo: 'pwri' }]);
  });

  it('refuses a SignedData with CEM_CMS_INVALID', () => {
    expect(() => getRecipientIdentifiers(sign(['-outform', 'DER']))).toThrow(expect.objectContaining({ code: 'CEM_CMS_INVALID' }));
  });
});

describe('certificateMatchesIdentifier', () => {
  it('compares the issuer by meaning and the serial by value', () => {
    const cert = info(alice);
    const issuer = 'o=Cms Trust , ou=Issuing, CN=Cms Issuing CA 1, C=us';
    expect(certificateMatchesIdentifier(cert, { kind: 'issuerSerial', issuer, serial: `000${alice.serial}` })).toBe(true);
    expect(certificateMatchesIdentifier(cert, { kind: 'issuerSerial', issuer, serial: String(BigInt(alice.serial) + 1n) })).toBe(false);
    expect(certificateMatchesIdentifier(cert, { kind: 'issuerSerial', issuer: 'CN=Cms Issuing CA 1', serial: alice.serial })).toBe(false);
  });

  it('compares key identifiers case-insensitively and never matches other recipients', () => {
    const cert = info(alice);
    expect(certificateMatchesIdentifier(cert, { kind: 'subjectKeyIdentifier', keyId: (cert.subjectKeyIdentifier as string).toUpperCase() })).toBe(true);
    expect(certificateMatchesIdentifier(cert, { kind: 'other', recipientInfo: 'kekri' })).toBe(false);
  });

  it('refuses a non-integer serial with CEM_ARGUMENT', () => {
    expect(() => certificateMatchesIdentifier(info(alice), { kind: 'issuerSerial', issuer: 'CN=x', serial: '12ab' })).toThrow(
      expect.objectContaining({ code: 'CEM_ARGUMENT' }),
    );
  });
});
