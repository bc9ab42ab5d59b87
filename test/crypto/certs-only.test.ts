import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCertificate, type CertificateInfo } from '../../src/crypto/certificate.js';
import { certsOnlyToBase64, certsOnlyToPem, decodeCertsOnly, encodeCertsOnly, readCertsOnly, splitCertificateBundle } from '../../src/crypto/certs-only.js';
import * as cryptoEntry from '../../src/crypto/index.js';
import * as rootEntry from '../../src/index.js';
import { makeCert, makePki, openssl, tempDir, type TestCert, type TestPki } from '../helpers/pki.js';
import { toIndefinite } from './ber.js';

let pki: TestPki;
let leaf: TestCert;
let ecLeaf: TestCert;
let otherLeaf: TestCert;
let rekeyedIntermediate: TestCert;
let selfSignedCa: TestCert;
let selfSignedEe: TestCert;
let strangerRoot: TestCert;
let dir: string;

const info = (cert: TestCert): CertificateInfo => readCertificate(cert.der);
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** openssl crl2pkcs7 -nocrl over the certificates, in order. */
function opensslP7c(certs: readonly TestCert[], form: 'DER' | 'PEM'): Buffer {
  const chain = join(dir, `chain-${Math.abs(certs.map((c) => c.serial).join().length)}-${certs.length}.pem`);
  writeFileSync(chain, certs.map((c) => c.pem).join(''));
  return openssl(['crl2pkcs7', '-nocrl', '-certfile', chain, '-outform', form]);
}

beforeAll(() => {
  dir = tempDir();
  pki = makePki('P7');
  leaf = pki.leaf({ bits: 1024 });
  ecLeaf = pki.leaf({ keyType: 'ec' });
  otherLeaf = pki.leaf({ bits: 1024, subject: '/CN=other.p7.test' });
  rekeyedIntermediate = makeCert({ subject: pki.intermediate.subject, issuer: pki.root, ca: true, bits: 1024 });
  selfSignedCa = makeCert({ subject: '/O=Selfie/CN=as2.selfie.test', ca: true, keyUsage: 'digitalSignature,keyEncipherment', bits: 1024 });
  selfSignedEe = makeCert({ subject: '/CN=ee.selfie.test', bits: 1024 });
  strangerRoot = makeCert({ subject: '/CN=Stranger Root', ca: true, bits: 1024 });
});

describe('encodeCertsOnly', () => {
  it.each([
    ['a chain, end-entity first', () => [leaf, pki.intermediate, pki.root]],
    ['one EC certificate', () => [ecLeaf]],
    ['certificates in an unusual order', () => [pki.root, leaf]],
  ])('is byte-identical to openssl crl2pkcs7 -nocrl for %s', (_, certs) => {
    const list = certs();
    expect(hex(encodeCertsOnly(list.map((c) => c.der)))).toBe(opensslP7c(list, 'DER').toString('hex'));
  });

  it('is read back by openssl pkcs7 -print_certs with the certificates in order', () => {
    const list = [leaf, pki.intermediate, pki.root];
    const printed = openssl(['pkcs7', '-inform', 'DER', '-print_certs'], encodeCertsOnly(list.map((c) => c.der))).toString('utf8');
    const subjects = [...printed.matchAll(/^subject=(.*)$/gm)].map((m) => m[1]);
    expect(subjects).toHaveLength(3);
    const pems = printed.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    expect(pems.map((pem) => readCertificate(pem).sha256)).toEqual(list.map((c) => info(c).sha256));
  });

  it('refuses an empty list with CEM_ARGUMENT and a non-certificate with CEM_CERT_INVALID', () => {
    expect(() => encodeCertsOnly([])).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
    expect(() => encodeCertsOnly([leaf.der, Uint8Array.from([0x30, 0x00])])).toThrow(expect.objectContaining({ code: 'CEM_CERT_INVALID' }));
  });
});

describe('certsOnlyToPem and certsOnlyToBase64', () => {
  const chain = (): TestCert[] => [leaf, pki.intermediate, pki.root];

  it('writes PEM equal to openssl crl2pkcs7 -nocrl (PEM output)', () => {
    for (const list of [chain(), [ecLeaf]]) {
      const pem = certsOnlyToPem(list.map((c) => c.der));
      expect(pem).toBe(opensslP7c(list, 'PEM').toString('utf8'));
      expect(pem).toMatch(/^-----BEGIN PKCS7-----\n([A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END PKCS7-----\n$/);
    }
  });

  it('writes PEM that openssl pkcs7 -print_certs -in FILE reads, in order, and that our decoder reads back', () => {
    const list = chain();
    const pem = certsOnlyToPem(list.map((c) => c.der));
    const file = join(dir, 'written.p7b');
    writeFileSync(file, pem);
    const printed = openssl(['pkcs7', '-print_certs', '-in', file]).toString('utf8');
    const pems = printed.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    expect(pems.map((p) => readCertificate(p).sha256)).toEqual(list.map((c) => info(c).sha256));
    expect(decodeCertsOnly(pem).map(hex)).toEqual(list.map((c) => hex(c.der)));
    expect(readCertsOnly(pem).endEntity.sha256).toBe(info(leaf).sha256);
    expect(hex(openssl(['pkcs7', '-in', file, '-outform', 'DER']))).toBe(hex(encodeCertsOnly(list.map((c) => c.der))));
  });

  it('writes base64 in CRLF lines of 76 characters by default, or one line, that openssl and our decoder read', () => {
    const list = chain();
    const der = encodeCertsOnly(list.map((c) => c.der));
    const lines = certsOnlyToBase64(list.map((c) => c.der));
    const rows = lines.split('\r\n');
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.slice(0, -1).every((r) => r.length === 76)).toBe(true);
    expect(lines).not.toMatch(/\r\n$|(^|[^\r])\n/);
    expect(rows.join('')).toBe(Buffer.from(der).toString('base64'));
    const one = certsOnlyToBase64(list.map((c) => c.der), { lineLength: 0 });
    expect(one).toBe(Buffer.from(der).toString('base64'));
    expect(certsOnlyToBase64(list.map((c) => c.der), { lineLength: 64 }).split('\r\n')[0]).toHaveLength(64);
    for (const text of [lines, one]) {
      expect(decodeCertsOnly(text).map(hex)).toEqual(list.map((c) => hex(c.der)));
      expect(readCertsOnly(text).chain.map((c) => c.sha256)).toEqual([info(pki.intermediate).sha256, info(pki.root).sha256]);
    }
    const decoded = openssl(['base64', '-d'], lines.replace(/\r\n/g, '\n') + '\n');
    expect(hex(decoded)).toBe(hex(der));
    expect(openssl(['pkcs7', '-inform', 'DER', '-print_certs'], decoded).toString('utf8').match(/^subject=/gm)).toHaveLength(3);
    expect(hex(openssl(['base64', '-d', '-A'], one))).toBe(hex(der));
  });

  it('refuses what encodeCertsOnly refuses, and a line length that is not 0 or a multiple of 4 up to 996', () => {
    for (const encode of [certsOnlyToPem, (c: readonly Uint8Array[]) => certsOnlyToBase64(c)]) {
      expect(() => encode([])).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
      expect(() => encode([leaf.der, Uint8Array.from([0x30, 0x00])])).toThrow(expect.objectContaining({ code: 'CEM_CERT_INVALID' }));
    }
    for (const lineLength of [-4, 2, 75, 1000, 1.5, Number.NaN]) {
      expect(() => certsOnlyToBase64([leaf.der], { lineLength })).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
    }
    expect(certsOnlyToBase64(chain().map((c) => c.der), { lineLength: 996 }).split('\r\n').map((r) => r.length).slice(0, 1)).toEqual([996]);
  });

  it('is exported from ediint-cem/crypto and from the package root', () => {
    expect(cryptoEntry.certsOnlyToPem).toBe(certsOnlyToPem);
    expect(cryptoEntry.certsOnlyToBase64).toBe(certsOnlyToBase64);
    expect(rootEntry.certsOnlyToPem).toBe(certsOnlyToPem);
    expect(rootEntry.certsOnlyToBase64).toBe(certsOnlyToBase64);
  });
});

describe('decodeCertsOnly', () => {
  const chain = (): TestCert[] => [leaf, pki.intermediate, pki.root];
  const expected = (): string[] => chain().map((c) => hex(c.der));

  it('reads DER from openssl crl2pkcs7', () => {
    expect(decodeCertsOnly(opensslP7c(chain(), 'DER')).map(hex)).toEqual(expected());
  });

  it('reads PEM labelled PKCS7, as string or bytes', () => {
    const pem = opensslP7c(chain(), 'PEM');
    expect(pem.toString('utf8')).toContain('-----BEGIN PKCS7-----');
    expect(decodeCertsOnly(pem.toString('utf8')).map(hex)).toEqual(expected());
    expect(decodeCertsOnly(new Uint8Array(pem)).map(hex)).toEqual(expected());
  });

  it('reads PEM labelled CMS from openssl cms -cmsout', () => {
    const pem = openssl(['cms', '-cmsout', '-inform', 'DER', '-outform', 'PEM'], opensslP7c(chain(), 'DER')).toString('utf8');
    expect(pem).toContain('-----BEGIN CMS-----');
    // openssl cms re-encodes the certificate SET in DER (sorted) order
    expect(decodeCertsOnly(pem).map(hex).sort()).toEqual(expected().sort());
  });

  it('reads base64 with or without line breaks and surrounding whitespace', () => {
    const base64 = opensslP7c(chain(), 'DER').toString('base64');
    for (const text of [base64, base64.replace(/.{76}/g, '$&\r\n'), `\n  ${base64.replace(/.{64}/g, '$&\n')}  \n`]) {
      expect(decodeCertsOnly(text).map(hex)).toEqual(expected());
    }
  });

  it('reads a MIME entity with its headers', () => {
    const base64 = opensslP7c(chain(), 'DER').toString('base64').replace(/.{76}/g, '$&\r\n');
    const entity = `Content-Type: application/pkcs7-mime; smime-type=certs-only; name=cert.p7c\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64}\r\n`;
    expect(decodeCertsOnly(entity).map(hex)).toEqual(expected());
  });

  it('reads BER with indefinite lengths', () => {
    const der = encodeCertsOnly(chain().map((c) => c.der));
    const ber = toIndefinite(der, 4);
    expect(ber[1]).toBe(0x80);
    expect(openssl(['pkcs7', '-inform', 'DER', '-print_certs'], ber).toString('utf8')).toContain('subject=');
    expect(decodeCertsOnly(ber).map(hex)).toEqual(expected());
  });

  it('reads the certificates of a streamed (BER) openssl cms -sign message', () => {
    const chainPath = join(dir, 'sign-chain.pem');
    writeFileSync(chainPath, pki.intermediate.pem + pki.root.pem);
    const signed = openssl(
      ['cms', '-sign', '-stream', '-nodetach', '-outform', 'DER', '-signer', leaf.certPath, '-inkey', leaf.keyPath, '-certfile', chainPath],
      'hello',
    );
    expect(signed[1]).toBe(0x80);
    const found = decodeCertsOnly(signed).map(hex);
    expect(found.sort()).toEqual(expected().sort());
  });

  it.each([
    ['garbage bytes', Uint8Array.from([9, 9, 9])],
    ['a truncated message', 'TRUNC'],
    ['a certificate instead of PKCS #7', 'CERT'],
    ['a PEM certificate', 'PEMCERT'],
    ['an EnvelopedData', 'ENVELOPED'],
    ['a multipart entity', 'Content-Type: multipart/signed; boundary=x\r\n\r\n--x--\r\n'],
    ['text that is not base64', 'not base64 at all!'],
  ])('refuses %s with CEM_PKCS7_INVALID', (_, input) => {
    let value: Uint8Array | string = input;
    if (input === 'TRUNC') value = new Uint8Array(opensslP7c(chain(), 'DER')).subarray(0, 200);
    if (input === 'CERT') value = leaf.der;
    if (input === 'PEMCERT') value = leaf.pem;
    if (input === 'ENVELOPED') value = openssl(['cms', '-encrypt', '-outform', 'DER', leaf.certPath], 'x');
    expect(() => decodeCertsOnly(value)).toThrow(expect.objectContaining({ code: 'CEM_PKCS7_INVALID' }));
  });
});

describe('splitCertificateBundle', () => {
  const split = (certs: TestCert[]) => splitCertificateBundle(certs.map(info));
  const names = (certs: readonly CertificateInfo[]): string[] => certs.map((c) => c.subject);

  it('finds the end-entity and orders the chain upward, whatever the input order', () => {
    const bundle = split([pki.root, leaf, pki.intermediate]);
    expect(bundle.endEntity.sha256).toBe(info(leaf).sha256);
    expect(names(bundle.chain)).toEqual(names([info(pki.intermediate), info(pki.root)]));
    expect(bundle.unrelated).toEqual([]);
    expect(Object.isFrozen(bundle) && Object.isFrozen(bundle.chain)).toBe(true);
  });

  it('stops the chain where the set ends', () => {
    expect(names(split([pki.intermediate, leaf]).chain)).toEqual([info(pki.intermediate).subject]);
    expect(split([leaf]).chain).toEqual([]);
  });

  it('accepts one self-signed certificate, with or without cA', () => {
    expect(split([selfSignedCa]).endEntity.sha256).toBe(info(selfSignedCa).sha256);
    expect(split([selfSignedEe]).endEntity.sha256).toBe(info(selfSignedEe).sha256);
  });

  it('follows key identifiers when two CAs share a name, and reports the other as unrelated', () => {
    const bundle = split([leaf, rekeyedIntermediate, pki.intermediate, pki.root]);
    expect(bundle.chain.map((c) => c.sha256)).toEqual([info(pki.intermediate).sha256, info(pki.root).sha256]);
    expect(bundle.unrelated.map((c) => c.sha256)).toEqual([info(rekeyedIntermediate).sha256]);
  });

  it('reports certificates outside the path as unrelated', () => {
    const bundle = split([leaf, strangerRoot, pki.intermediate]);
    expect(names(bundle.unrelated)).toEqual([info(strangerRoot).subject]);
  });

  it('counts an identical certificate once', () => {
    expect(split([leaf, pki.intermediate, leaf]).endEntity.sha256).toBe(info(leaf).sha256);
  });

  it.each([
    ['two end-entity certificates', () => [leaf, otherLeaf, pki.intermediate]],
    ['only CA certificates', () => [pki.intermediate, pki.root]],
    ['a self-signed CA next to a leaf it did not issue', () => [selfSignedCa, selfSignedEe, leaf]],
    ['nothing', () => []],
  ])('refuses %s with CEM_PKCS7_END_ENTITY', (_, certs) => {
    expect(() => split(certs())).toThrow(expect.objectContaining({ code: 'CEM_PKCS7_END_ENTITY' }));
  });
});

describe('readCertsOnly', () => {
  it('decodes, reads and splits an openssl p7c', () => {
    const bundle = readCertsOnly(opensslP7c([pki.root, pki.intermediate, leaf], 'PEM').toString('utf8'));
    expect(bundle.endEntity.sha256).toBe(info(leaf).sha256);
    expect(bundle.chain.map((c) => c.sha256)).toEqual([info(pki.intermediate).sha256, info(pki.root).sha256]);
  });

  it('refuses a p7c without an end-entity certificate with CEM_PKCS7_END_ENTITY', () => {
    expect(() => readCertsOnly(opensslP7c([pki.intermediate, pki.root], 'DER'))).toThrow(expect.objectContaining({ code: 'CEM_PKCS7_END_ENTITY' }));
  });
});
