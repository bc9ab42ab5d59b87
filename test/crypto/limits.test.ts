/**
 * Issue 9, points 1–3: bounded work for hostile sizes and counts, checked by size and count (not
 * by wall time). Each case here was accepted (and slow) before: a 1 MB serial took seconds to
 * print in decimal and was quoted whole in an error; 10,000 certificates were all parsed; a
 * CertificateSet of 500,000 empty SETs gave [].
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readCertificate, readCertificates } from '../../src/crypto/certificate.js';
import { decodeCertsOnly, encodeCertsOnly, readCertsOnly } from '../../src/crypto/certs-only.js';
import { parseDistinguishedName } from '../../src/crypto/dn.js';
import { CemError } from '../../src/errors.js';
import { clip, quote } from '../../src/quote.js';
import { parseCemEntity } from '../../src/messages/entity/parse.js';
import { DEFAULT_MAX_CERTS_PER_ENTITY, DEFAULT_MAX_CERTS_PER_PART } from '../../src/messages/entity/internal/certs-part.js';
import { parseCemRequest } from '../../src/messages/request-xml.js';
import { concatenatedCertificates, ENTITY_LIMITS, hostileEntity } from '../fixtures/hostile-entity.js';
import { childrenOf, tlv, withSerialContent } from '../helpers/der-edit.js';
import { makePki, type TestCert, type TestPki } from '../helpers/pki.js';

function failure(fn: () => unknown): { code: string | undefined; message: string } {
  try {
    fn();
  } catch (e) {
    return { code: (e as { code?: string }).code, message: (e as Error).message };
  }
  return { code: undefined, message: '' };
}

let pki: TestPki;
let leaf: TestCert;
beforeAll(() => {
  pki = makePki('Limits');
  leaf = pki.leaf({ keyFrom: pki.intermediate });
});

describe('oversized serial numbers (point 1)', () => {
  it('refuses a 1 MB serial in a certificate before converting it, with a short message', () => {
    const content = new Uint8Array(1 << 20).fill(0x5a);
    const { code, message } = failure(() => readCertificate(withSerialContent(leaf.der, content)));
    expect(code).toBe('CEM_CERT_INVALID');
    expect(message).toContain('more than 64');
    expect(message.length).toBeLessThan(300);
  });

  it('reads serials up to 64 octets and refuses 65', () => {
    const ok = new Uint8Array(64).fill(0x11);
    expect(readCertificate(withSerialContent(leaf.der, ok)).serialHex).toBe('11'.repeat(64));
    expect(readCertificate(withSerialContent(leaf.der, ok)).serial).toBe(BigInt(`0x${'11'.repeat(64)}`).toString(10));
    expect(failure(() => readCertificate(withSerialContent(leaf.der, new Uint8Array(65).fill(0x11)))).code).toBe('CEM_CERT_INVALID');
  });

  it('refuses an X509SerialNumber of a million digits with a short message, reads 160 characters, refuses 161', () => {
    const base = (serial: string) => `<?xml version="1.0" encoding="UTF-8"?>
<EDIINTCertificateExchangeRequest xmlns="urn:ietf:params:xml:ns:ediintcertificateexchange" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
<TradingPartnerInfo><Name qualifier="AS2">A</Name><MessageOriginated>2025-01-31T12:00:00Z</MessageOriginated></TradingPartnerInfo>
<TrustRequest><CertUsage>tlsServer</CertUsage><ResponseURL>https://a.test/</ResponseURL><EndEntity><CertificateIdentifier>
<ds:X509IssuerName>CN=A</ds:X509IssuerName><ds:X509SerialNumber>${serial}</ds:X509SerialNumber></CertificateIdentifier>
<CertificateContentID>c@a.test</CertificateContentID></EndEntity></TrustRequest></EDIINTCertificateExchangeRequest>`;
    const huge = failure(() => parseCemRequest(base('7'.repeat(1_000_000)), { maxBytes: 2_000_000 }));
    expect(huge.code).toBe('CEM_XML_SERIAL');
    expect(huge.message.length).toBeLessThan(200);
    expect(parseCemRequest(base(`-${'9'.repeat(159)}`)).trustRequests[0]?.certificate.serial).toHaveLength(160);
    expect(failure(() => parseCemRequest(base('9'.repeat(161)))).code).toBe('CEM_XML_SERIAL');
  });

  it('clips every quoted value: helpers, DN errors and the CemError backstop', () => {
    expect(clip('x'.repeat(10))).toBe('x'.repeat(10));
    expect(clip('x'.repeat(1000))).toBe(`${'x'.repeat(200)}… (1000 characters)`);
    expect(clip(`${'x'.repeat(198)}😀`)).toBe(`${'x'.repeat(198)}😀`);
    expect(clip(`${'x'.repeat(199)}😀`)).toBe(`${'x'.repeat(199)}… (201 characters)`); // no lone surrogate
    expect(quote('a"b')).toBe('"a\\"b"');
    expect(quote('y'.repeat(500))).toBe(`"${'y'.repeat(200)}"… (500 characters)`);
    const dn = failure(() => parseDistinguishedName('z'.repeat(1_000_000)));
    expect(dn.code).toBe('CEM_DN_INVALID');
    expect(dn.message.length).toBeLessThan(400);
    expect(new CemError('CEM_ARGUMENT', 'm'.repeat(100_000)).message.length).toBeLessThan(2100);
  });
});

describe('certificate counts (point 2)', () => {
  it('readCertificates reads 500 certificates by default and refuses 501 before parsing any', () => {
    expect(readCertificates(concatenatedCertificates(leaf.der, 500))).toHaveLength(500);
    const der = failure(() => readCertificates(concatenatedCertificates(leaf.der, 10_000)));
    expect(der.code).toBe('CEM_CERT_INVALID');
    expect(der.message).toContain('more than 500');
    const pem = failure(() => readCertificates(leaf.pem.repeat(501)));
    expect(pem).toMatchObject({ code: 'CEM_CERT_INVALID' });
    expect(readCertificates(leaf.pem.repeat(3), { maxCertificates: 3 })).toHaveLength(3);
    expect(failure(() => readCertificates(leaf.pem.repeat(4), { maxCertificates: 3 })).code).toBe('CEM_CERT_INVALID');
    expect(failure(() => readCertificates(leaf.pem, { maxCertificates: 0 })).code).toBe('CEM_ARGUMENT');
    expect(readCertificates(concatenatedCertificates(leaf.der, 600), { maxCertificates: 600 })).toHaveLength(600);
  });

  it('decodeCertsOnly and readCertsOnly refuse more than 500 values, or the raised limit', () => {
    const many = encodeCertsOnly(Array.from({ length: 501 }, () => leaf.der));
    expect(failure(() => decodeCertsOnly(many)).code).toBe('CEM_PKCS7_INVALID');
    expect(failure(() => readCertsOnly(many)).code).toBe('CEM_PKCS7_INVALID');
    expect(decodeCertsOnly(many, { maxCertificates: 501 })).toHaveLength(501);
    const chain = encodeCertsOnly([leaf.der, pki.intermediate.der, pki.root.der]);
    expect(failure(() => readCertsOnly(chain, { maxCertificates: 2 })).code).toBe('CEM_PKCS7_INVALID');
    expect(readCertsOnly(chain, { maxCertificates: 3 }).chain).toHaveLength(2);
  });

  it('parseCemEntity accepts the worst entity within its limits and refuses one certificate more, per part and per entity', () => {
    expect(ENTITY_LIMITS).toEqual({ perPart: DEFAULT_MAX_CERTS_PER_PART, perEntity: DEFAULT_MAX_CERTS_PER_ENTITY });
    const worst = hostileEntity({ bits: 2048 });
    expect(worst.certificates).toBe(ENTITY_LIMITS.perEntity);
    const parsed = parseCemEntity(worst.bytes);
    expect(parsed.kind === 'request' && parsed.certificates.length).toBe(2);
    expect(parsed.kind === 'request' && parsed.certificates[0]?.unrelated.length).toBe(1); // the copies count once
    const overPart = hostileEntity({ bits: 2048, parts: 1, perPart: ENTITY_LIMITS.perPart + 1 });
    expect(failure(() => parseCemEntity(overPart.bytes))).toMatchObject({ code: 'CEM_PKCS7_INVALID', message: expect.stringContaining('more than 32') });
    expect(parseCemEntity(overPart.bytes, { maxCertificatesPerPart: 33 }).kind).toBe('request');
    const overEntity = hostileEntity({ bits: 2048, parts: 3, perPart: 22 });
    expect(overEntity.certificates).toBe(66);
    expect(failure(() => parseCemEntity(overEntity.bytes))).toMatchObject({ code: 'CEM_PKCS7_INVALID', message: expect.stringContaining('more than 64') });
    expect(parseCemEntity(overEntity.bytes, { maxCertificates: 66 }).kind).toBe('request');
    expect(failure(() => parseCemEntity(overEntity.bytes, { maxCertificates: 1.5 })).code).toBe('CEM_ARGUMENT');
  });
});

describe('CertificateSet contents (point 3)', () => {
  function withCertificateSet(values: Uint8Array): Uint8Array {
    // a real certs-only message with its [0] certificates field replaced
    const real = encodeCertsOnly([leaf.der]);
    const [oid, explicit] = childrenOf(real);
    const [signedData] = childrenOf(explicit as Uint8Array);
    const fields = childrenOf(signedData as Uint8Array);
    fields[3] = tlv(0xa0, values);
    return tlv(0x30, oid as Uint8Array, tlv(0xa0, tlv(0x30, ...fields)));
  }

  it('refuses 500,000 empty SETs (and a single one) instead of returning []', () => {
    const emptySets = new Uint8Array(1_000_000);
    for (let i = 0; i < emptySets.length; i += 2) emptySets[i] = 0x31;
    expect(failure(() => decodeCertsOnly(withCertificateSet(emptySets))).code).toBe('CEM_PKCS7_INVALID');
    expect(failure(() => decodeCertsOnly(withCertificateSet(Uint8Array.of(0x31, 0x00)))).code).toBe('CEM_PKCS7_INVALID');
    expect(failure(() => decodeCertsOnly(withCertificateSet(Uint8Array.of(0x04, 0x00)))).code).toBe('CEM_PKCS7_INVALID');
  });

  it('still skips attribute certificates ([1], [2]) and keeps an empty certificates field empty', () => {
    const attribute = tlv(0xa2, tlv(0x30));
    expect(decodeCertsOnly(withCertificateSet(new Uint8Array([...attribute, ...leaf.der])))).toHaveLength(1);
    expect(decodeCertsOnly(withCertificateSet(new Uint8Array(0)))).toEqual([]);
  });
});
