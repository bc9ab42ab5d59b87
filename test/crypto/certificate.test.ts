import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { certificateToPem, readCertificate, readCertificates, type CertificateInfo } from '../../src/crypto/certificate.js';
import { distinguishedNamesEqual } from '../../src/crypto/dn.js';
import { makeCert, makePki, openssl, type TestCert, type TestPki } from '../helpers/pki.js';
import { opensslFingerprint, opensslKeyId, opensslName, opensslSerial, x509Text } from './support.js';

let pki: TestPki;
let leaf: TestCert;
let serial20: TestCert;
let highBitSerial: TestCert;
let ecLeaf: TestCert;
let ec384: TestCert;
let edCert: TestCert;
let special: TestCert;
let unicode: TestCert;
let customOid: TestCert;
let sha1Cert: TestCert;
let impostor: TestCert;

const SPECIAL_SUBJECT =
  '/C=US/ST=Texas/L=Ft. Worth/street=1 Main St/O=Acme\\, Inc.+OU=x;y/CN=#lead<>"q"\\\\b /emailAddress=a@b.test' +
  '/DC=example/DC=test/UID=u1/serialNumber=42/title=Dr/GN=Ann/SN=Lee/O= lead';

beforeAll(() => {
  pki = makePki('Insp');
  leaf = pki.leaf({ extendedKeyUsage: 'serverAuth,clientAuth,1.3.6.1.4.1.311.10.3.12' });
  serial20 = pki.leaf({ serial: (1n << 159n) - 12345n, keyFrom: leaf });
  highBitSerial = pki.leaf({ serial: (0x80n << 144n) + 5n, keyFrom: leaf });
  ecLeaf = pki.leaf({ keyType: 'ec', keyUsage: 'digitalSignature,keyAgreement' });
  ec384 = makeCert({ subject: '/CN=ec384.test', keyType: 'ec', curve: 'P-384', digest: 'sha384' });
  edCert = makeCert({ subject: '/CN=ed25519.test', keyType: 'ed25519' });
  special = makeCert({ subject: SPECIAL_SUBJECT, keyFrom: leaf });
  unicode = makeCert({ subject: '/O=Société Générale/CN=José Müller \u0001x/OU=trail\\ ', utf8: true, keyFrom: leaf });
  customOid = makeCert({ subject: '/O=Acme/partnerCode=P-77/CN=oid.test', newOids: { partnerCode: '1.3.6.1.4.1.99999.1' }, keyFrom: leaf });
  sha1Cert = pki.leaf({ digest: 'sha1', keyFrom: leaf });
  // a certificate whose issuer name equals its subject but which the intermediate signed
  impostor = makeCert({ subject: pki.intermediate.subject, issuer: pki.intermediate, keyFrom: leaf });
});

/** RFC 4514 names streetAddress STREET; openssl prints its short name "street". */
function asRfc4514(opensslText: string): string {
  return opensslText.replace(/(^|,|\+)street=/g, '$1STREET=');
}

function read(cert: TestCert): CertificateInfo {
  return readCertificate(cert.der);
}

describe('readCertificate', () => {
  it('prints subject and issuer as openssl -nameopt RFC2253 does', () => {
    for (const cert of [pki.root, pki.intermediate, leaf, ecLeaf, special, unicode]) {
      const info = read(cert);
      expect(info.subject).toBe(asRfc4514(opensslName(cert, 'subject')));
      expect(info.issuer).toBe(asRfc4514(opensslName(cert, 'issuer')));
    }
  });

  it('escapes the RFC 4514 specials, leading # and spaces, trailing spaces and control characters', () => {
    const info = read(special);
    expect(info.subject).toContain('CN=\\#lead\\<\\>\\"q\\"\\\\b\\ ,');
    expect(info.subject).toContain('O=\\ lead');
    expect(info.subject).toContain('O=Acme\\, Inc.+OU=x\\;y');
    expect(read(unicode).subject).toBe('OU=trail\\ ,CN=José Müller \\01x,O=Société Générale');
  });

  it('writes an unregistered attribute type as a dotted OID with a #-hex BER value', () => {
    const info = read(customOid);
    const theirs = opensslName(customOid, 'subject');
    expect(theirs).toMatch(/1\.3\.6\.1\.4\.1\.99999\.1=#/);
    expect(info.subject.toLowerCase()).toBe(theirs.toLowerCase());
    expect(distinguishedNamesEqual(info.subject, theirs)).toBe(true);
    expect(info.subjectRdns[1]?.[0]).toMatchObject({ oid: '1.3.6.1.4.1.99999.1', value: 'P-77', binary: false });
  });

  it('gives the serial number as decimal and hex equal to openssl -serial, for 20-byte serials too', () => {
    for (const cert of [leaf, serial20, highBitSerial, pki.root]) {
      const info = read(cert);
      const theirs = opensslSerial(cert);
      expect(info.serial).toBe(theirs.toString(10));
      expect(info.serial).toBe(cert.serial);
      expect(BigInt(`0x${info.serialHex}`)).toBe(theirs);
      expect(info.serialHex).toMatch(/^([0-9a-f]{2})+$/);
    }
    expect(read(serial20).serialHex).toHaveLength(40);
    expect(read(highBitSerial).serialHex.startsWith('80')).toBe(true);
  });

  it('computes SHA-256 and SHA-1 fingerprints equal to openssl -fingerprint', () => {
    for (const cert of [leaf, ecLeaf, edCert]) {
      const info = read(cert);
      expect(info.sha256).toBe(opensslFingerprint(cert, 'sha256'));
      expect(info.sha1).toBe(opensslFingerprint(cert, 'sha1'));
    }
  });

  it('reads notBefore and notAfter as openssl prints them', () => {
    for (const cert of [leaf, ecLeaf]) {
      const info = read(cert);
      const dates = x509Text(cert, ['-dates']);
      const [, start] = /notBefore=(.*)/.exec(dates) as RegExpExecArray;
      const [, end] = /notAfter=(.*)/.exec(dates) as RegExpExecArray;
      expect(info.notBefore.getTime()).toBe(Date.parse(start as string));
      expect(info.notAfter.getTime()).toBe(Date.parse(end as string));
    }
  });

  it('describes RSA, EC and Ed25519 keys like openssl -text', () => {
    const expectations: [TestCert, string, number, string | null][] = [
      [leaf, 'RSA', 2048, null],
      [ecLeaf, 'EC', 256, 'P-256'],
      [ec384, 'EC', 384, 'P-384'],
      [edCert, 'Ed25519', 256, null],
    ];
    for (const [cert, algorithm, bits, curve] of expectations) {
      const info = read(cert);
      const text = x509Text(cert, ['-text']);
      expect(info).toMatchObject({ keyAlgorithm: algorithm, keySize: bits, namedCurve: curve });
      if (algorithm !== 'Ed25519') expect(text).toContain(`Public-Key: (${bits} bit)`);
      if (curve) expect(text).toContain(`NIST CURVE: ${curve}`);
    }
  });

  it('names the signature algorithm as openssl does', () => {
    for (const cert of [leaf, sha1Cert, ecLeaf, ec384, edCert]) {
      const info = read(cert);
      const [, theirs] = /Signature Algorithm: (\S+)/.exec(x509Text(cert, ['-text'])) as RegExpExecArray;
      expect(info.signatureAlgorithm.toLowerCase()).toBe((theirs as string).toLowerCase());
    }
    expect(read(sha1Cert)).toMatchObject({ signatureAlgorithm: 'sha1WithRSAEncryption', signatureHash: 'sha1' });
    expect(read(ec384)).toMatchObject({ signatureAlgorithm: 'ecdsa-with-SHA384', signatureHash: 'sha384' });
  });

  it('lists keyUsage and extendedKeyUsage by name, unknown purposes as OIDs', () => {
    expect(read(leaf)).toMatchObject({
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      keyUsagePresent: true,
      extendedKeyUsage: ['serverAuth', 'clientAuth', '1.3.6.1.4.1.311.10.3.12'],
      extendedKeyUsagePresent: true,
      isCA: false,
    });
    expect(read(pki.root)).toMatchObject({ keyUsage: ['keyCertSign', 'cRLSign'], isCA: true, extendedKeyUsagePresent: false });
    expect(read(ecLeaf).keyUsage).toEqual(['digitalSignature', 'keyAgreement']);
  });

  it('reads the key identifiers as openssl prints them', () => {
    for (const cert of [leaf, pki.intermediate]) {
      const info = read(cert);
      expect(info.subjectKeyIdentifier).toBe(opensslKeyId(cert, 'subjectKeyIdentifier'));
      expect(info.authorityKeyIdentifier).toBe(opensslKeyId(cert, 'authorityKeyIdentifier'));
      expect(info.authorityKeyIdentifier).toBe(read(cert.issuer as TestCert).subjectKeyIdentifier);
    }
    const bare = makeCert({ subject: '/CN=no-ids.test', issuer: pki.intermediate, noKeyIdentifiers: true, keyFrom: leaf });
    expect(read(bare)).toMatchObject({ subjectKeyIdentifier: null, authorityKeyIdentifier: null });
  });

  it('calls a certificate self-signed only when its own key verifies its signature', () => {
    expect(read(pki.root).selfSigned).toBe(true);
    expect(read(edCert).selfSigned).toBe(true);
    expect(read(ec384).selfSigned).toBe(true);
    expect(read(pki.intermediate).selfSigned).toBe(false);
    expect(read(leaf).selfSigned).toBe(false);
    const info = read(impostor);
    expect(distinguishedNamesEqual(info.subject, info.issuer)).toBe(true);
    expect(info.selfSigned).toBe(false);
  });

  it('reads DER, PEM (string or bytes) and bare base64 alike', () => {
    const fromDer = read(leaf);
    const base64 = Buffer.from(leaf.der).toString('base64');
    for (const input of [leaf.pem, new TextEncoder().encode(leaf.pem), base64, `  ${base64.replace(/.{64}/g, '$&\r\n')}\n`]) {
      expect(readCertificate(input).sha256).toBe(fromDer.sha256);
    }
  });

  it('returns a frozen object whose der is a private copy', () => {
    const bytes = leaf.der.slice();
    const info = readCertificate(bytes);
    bytes.fill(0);
    expect(info.sha256).toBe(opensslFingerprint(leaf, 'sha256'));
    expect(Buffer.from(info.der).equals(Buffer.from(leaf.der))).toBe(true);
    expect(Object.isFrozen(info)).toBe(true);
    expect(Object.isFrozen(info.keyUsage)).toBe(true);
    expect(Object.isFrozen(info.subjectRdns[0])).toBe(true);
  });

  it('refuses a PEM bundle with CEM_CERT_INVALID, pointing to readCertificates', () => {
    expect(() => readCertificate(leaf.pem + pki.intermediate.pem)).toThrow(expect.objectContaining({ code: 'CEM_CERT_INVALID' }));
  });

  it.each([
    ['random bytes', Uint8Array.from([1, 2, 3, 4, 5])],
    ['an empty string', ''],
    ['text', 'hello world'],
    ['a truncated certificate', 'TRUNC'],
    ['a SEQUENCE that is not a certificate', Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x05])],
    ['trailing bytes', 'TRAIL'],
    ['a private key only', 'KEY'],
    ['PEM with broken base64', '-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n'],
  ])('refuses %s with CEM_CERT_INVALID', (_, input) => {
    let value: Uint8Array | string = input;
    if (input === 'TRUNC') value = leaf.der.subarray(0, leaf.der.length - 10);
    if (input === 'TRAIL') value = Uint8Array.from([...leaf.der, 0]);
    if (input === 'KEY') value = readFileSync(leaf.keyPath, 'utf8');
    expect(() => readCertificate(value)).toThrow(expect.objectContaining({ code: 'CEM_CERT_INVALID' }));
  });
});

describe('readCertificates', () => {
  it('reads every certificate of a PEM bundle in order, ignoring other blocks', () => {
    const bundle = `${readFileSync(leaf.keyPath, 'utf8')}${leaf.pem}junk between\n${pki.intermediate.pem}${pki.root.pem}`;
    expect(readCertificates(bundle).map((c) => c.sha256)).toEqual([leaf, pki.intermediate, pki.root].map((c) => read(c).sha256));
  });

  it('reads concatenated DER certificates', () => {
    const der = Uint8Array.from([...leaf.der, ...pki.root.der]);
    expect(readCertificates(der).map((c) => c.subject)).toEqual([read(leaf).subject, read(pki.root).subject]);
  });

  it('refuses input without certificates with CEM_CERT_INVALID', () => {
    expect(() => readCertificates(readFileSync(leaf.keyPath, 'utf8'))).toThrow(expect.objectContaining({ code: 'CEM_CERT_INVALID' }));
  });
});

describe('certificateToPem', () => {
  it('writes the PEM openssl writes', () => {
    const theirs = openssl(['x509', '-in', leaf.certPath, '-outform', 'PEM']).toString('utf8');
    expect(certificateToPem(leaf.der)).toBe(theirs);
    expect(readCertificate(certificateToPem(ec384.der)).sha256).toBe(read(ec384).sha256);
  });

  it('refuses bytes that are not one DER value with CEM_CERT_INVALID', () => {
    expect(() => certificateToPem(Uint8Array.from([0x30, 0x05, 0x00]))).toThrow(expect.objectContaining({ code: 'CEM_CERT_INVALID' }));
  });
});
