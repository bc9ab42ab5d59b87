import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCertificate } from '../../src/crypto/certificate.js';
import { decodeCertsOnly } from '../../src/crypto/certs-only.js';
import { buildCemRequestEntity } from '../../src/messages/entity/build-request.js';
import { buildCemRequest } from '../../src/messages/entity/build-request-items.js';
import { buildCemResponseEntity } from '../../src/messages/entity/build-response.js';
import { serializeCemEntity } from '../../src/messages/entity/serialize.js';
import { getHeader } from '../../src/messages/mime/headers.js';
import { parseMimeEntity } from '../../src/messages/mime/parse.js';
import { cemDateTime } from '../../src/messages/datetime.js';
import { makeCert, openssl, tempDir } from '../helpers/pki.js';
import { chainDers, makeParties, NOW, requestOf, responseOf, trustRequest, type Parties } from '../fixtures/mime/cem-parties.js';

let parties: Parties;
beforeAll(() => {
  parties = makeParties();
});

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

const text = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString('latin1');

function twoCertEntity(options: { transferEncoding?: 'base64' | 'binary'; start?: boolean } = {}) {
  const request = requestOf([
    trustRequest(parties.signing, 'cert-sign@acme.test', ['digitalSignature']),
    trustRequest(parties.encryption, 'cert-enc@acme.test', ['keyEncipherment']),
  ]);
  const [sign, ...signChain] = chainDers(parties, parties.signing);
  const [enc, ...encChain] = chainDers(parties, parties.encryption);
  return buildCemRequestEntity({
    request,
    xmlContentId: '<req-xml@acme.test>',
    certificates: [
      { contentId: 'cert-enc@acme.test', endEntity: enc as Uint8Array, chain: encChain.reverse() },
      { contentId: '<cert-sign@acme.test>', endEntity: sign as Uint8Array, chain: signChain },
    ],
    ...options,
  });
}

describe('buildCemRequestEntity', () => {
  it('writes multipart/related with the quoted CEM type, no start, and MIME-Version', () => {
    const e = twoCertEntity();
    expect(e.contentType).toMatch(/^multipart\/related; type="application\/ediint-cert-exchange\+xml"; boundary="[^"]+"$/);
    expect(e.headers).toEqual({ 'Content-Type': e.contentType, 'MIME-Version': '1.0' });
    expect(e.mime.contentType?.params.start).toBeUndefined();
  });

  it('puts the XML first, then one certs-only part per TrustRequest in document order', () => {
    const parsed = parseMimeEntity(serializeCemEntity(twoCertEntity()));
    const parts = parsed.parts ?? [];
    expect(parts.map((p) => p.contentType?.essence)).toEqual([
      'application/ediint-cert-exchange+xml',
      'application/pkcs7-mime',
      'application/pkcs7-mime',
    ]);
    expect(parts.map((p) => getHeader(p, 'content-id'))).toEqual(['<req-xml@acme.test>', '<cert-sign@acme.test>', '<cert-enc@acme.test>']);
    expect(parts.slice(1).map((p) => p.contentType?.params['smime-type'])).toEqual(['certs-only', 'certs-only']);
    expect(parts.slice(1).map((p) => getHeader(p, 'content-disposition'))).toEqual([
      'attachment; filename="cert-1.p7c"',
      'attachment; filename="cert-2.p7c"',
    ]);
    expect(text(parts[0]?.body)).toContain('<CertificateContentID>cert-sign@acme.test</CertificateContentID>');
  });

  it('puts exactly the end-entity certificate and its chain, nearest issuer first, in each P7C', () => {
    const parts = parseMimeEntity(serializeCemEntity(twoCertEntity())).parts ?? [];
    const encCerts = decodeCertsOnly(parts[2]?.body ?? new Uint8Array()).map((d) => readCertificate(d).sha256);
    expect(encCerts).toEqual(chainDers(parties, parties.encryption).map((d) => readCertificate(d).sha256));
    // Both P7Cs repeat the shared CA certificates (draft-14 §2.3).
    const signCerts = decodeCertsOnly(parts[1]?.body ?? new Uint8Array()).map((d) => readCertificate(d).sha256);
    expect(signCerts.slice(1)).toEqual(encCerts.slice(1));
  });

  it('writes base64 by default and raw DER with transferEncoding binary', () => {
    const b64 = parseMimeEntity(serializeCemEntity(twoCertEntity())).parts ?? [];
    expect(b64.map((p) => getHeader(p, 'content-transfer-encoding'))).toEqual(['base64', 'base64', 'base64']);
    expect(text(b64[1]?.rawBody)).toMatch(/^MI/);
    const bin = parseMimeEntity(serializeCemEntity(twoCertEntity({ transferEncoding: 'binary' }))).parts ?? [];
    expect(bin.map((p) => getHeader(p, 'content-transfer-encoding'))).toEqual(['binary', 'binary', 'binary']);
    expect(bin[1]?.rawBody[0]).toBe(0x30);
    expect(bin[1]?.rawBody).toEqual(b64[1]?.body);
  });

  it('adds start with the XML Content-ID when asked', () => {
    expect(twoCertEntity({ start: true }).mime.contentType?.params.start).toBe('<req-xml@acme.test>');
  });

  it('is deterministic: the same input gives the same bytes', () => {
    expect(serializeCemEntity(twoCertEntity())).toEqual(serializeCemEntity(twoCertEntity()));
  });

  it('writes a P7C that openssl reads with -print_certs', () => {
    const part = (parseMimeEntity(serializeCemEntity(twoCertEntity())).parts ?? [])[1];
    const file = join(tempDir(), 'cert-1.p7c');
    writeFileSync(file, part?.body ?? new Uint8Array());
    const printed = openssl(['pkcs7', '-inform', 'DER', '-in', file, '-print_certs', '-noout']).toString('utf8');
    expect(printed.match(/^subject=/gm)).toHaveLength(3);
    expect(printed).toContain('CN = as2.acme.test');
    expect(printed).toContain('CN = Acme Issuing CA 1');
    expect(printed).toContain('CN = Acme Root CA');
  });

  it('sends a self-signed end-entity certificate alone in its P7C', () => {
    const e = buildCemRequestEntity({
      request: requestOf([trustRequest(parties.selfSigned, 'solo@solo.test')]),
      xmlContentId: 'xml@solo.test',
      certificates: [{ contentId: 'solo@solo.test', endEntity: parties.selfSigned.der }],
    });
    expect(decodeCertsOnly(e.mime.parts?.[1]?.body ?? new Uint8Array())).toEqual([parties.selfSigned.der]);
  });

  describe('refuses with CEM_ARGUMENT', () => {
    const build = (over: Partial<Parameters<typeof buildCemRequestEntity>[0]> = {}) =>
      buildCemRequestEntity({
        request: requestOf([trustRequest(parties.signing, 'c1@acme.test')]),
        xmlContentId: 'xml@acme.test',
        certificates: [{ contentId: 'c1@acme.test', endEntity: parties.signing.der, chain: chainDers(parties, parties.signing).slice(1) }],
        ...over,
      });

    it('accepts the baseline', () => {
      expect(build().mime.parts).toHaveLength(2);
    });

    it('a certificate whose serial differs from its TrustRequest', () => {
      const t = trustRequest(parties.signing, 'c1@acme.test');
      expect(code(() => build({ request: requestOf([{ ...t, certificate: { ...t.certificate, serial: '12345' } }]) }))).toBe('CEM_ARGUMENT');
    });

    it('a certificate whose issuer differs from its TrustRequest', () => {
      const t = trustRequest(parties.signing, 'c1@acme.test');
      expect(code(() => build({ request: requestOf([{ ...t, certificate: { ...t.certificate, issuer: 'CN=Someone Else,O=Other,C=US' } }]) }))).toBe('CEM_ARGUMENT');
    });

    it('a CA-issued certificate without its chain (requirement 34)', () => {
      expect(code(() => build({ certificates: [{ contentId: 'c1@acme.test', endEntity: parties.signing.der }] }))).toBe('CEM_ARGUMENT');
    });

    it('a chain that stops before the root, unless allowIncompleteChain', () => {
      const certificates = [{ contentId: 'c1@acme.test', endEntity: parties.signing.der, chain: [parties.pki.intermediate.der] }];
      expect(code(() => build({ certificates }))).toBe('CEM_ARGUMENT');
      expect(decodeCertsOnly(build({ certificates, allowIncompleteChain: true }).mime.parts?.[1]?.body ?? new Uint8Array())).toHaveLength(2);
    });

    it('a chain holding a certificate off the issuer path', () => {
      const chain = [...chainDers(parties, parties.signing).slice(1), parties.selfSigned.der];
      expect(code(() => build({ certificates: [{ contentId: 'c1@acme.test', endEntity: parties.signing.der, chain }] }))).toBe('CEM_ARGUMENT');
    });

    it('two TrustRequests for the same certificate (requirement 40)', () => {
      const a = trustRequest(parties.signing, 'c1@acme.test');
      const b = { ...trustRequest(parties.signing, 'c2@acme.test'), certificate: { issuer: a.certificate.issuer.toUpperCase(), serial: a.certificate.serial } };
      const chain = chainDers(parties, parties.signing).slice(1);
      expect(
        code(() =>
          build({
            request: requestOf([a, b]),
            certificates: [
              { contentId: 'c1@acme.test', endEntity: parties.signing.der, chain },
              { contentId: 'c2@acme.test', endEntity: parties.signing.der, chain },
            ],
          }),
        ),
      ).toBe('CEM_ARGUMENT');
    });

    it('bundles and TrustRequests that do not pair up', () => {
      expect(code(() => build({ certificates: [] }))).toBe('CEM_ARGUMENT');
      expect(code(() => build({ certificates: [{ contentId: 'other@acme.test', endEntity: parties.signing.der }] }))).toBe('CEM_ARGUMENT');
    });

    it('duplicate or malformed Content-IDs', () => {
      expect(code(() => build({ xmlContentId: 'C1@ACME.TEST' }))).toBe('CEM_ARGUMENT');
      expect(code(() => build({ xmlContentId: 'two words' }))).toBe('CEM_ARGUMENT');
      expect(code(() => build({ xmlContentId: '' }))).toBe('CEM_ARGUMENT');
    });

    it('an unknown transfer encoding', () => {
      expect(code(() => build({ transferEncoding: 'quoted-printable' as 'binary' }))).toBe('CEM_ARGUMENT');
    });
  });

  it('refuses bytes that are not a certificate with CEM_CERT_INVALID', () => {
    expect(
      code(() =>
        buildCemRequestEntity({
          request: requestOf([trustRequest(parties.signing, 'c1@acme.test')]),
          xmlContentId: 'xml@acme.test',
          certificates: [{ contentId: 'c1@acme.test', endEntity: new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]) }],
        }),
      ),
    ).toBe('CEM_CERT_INVALID');
  });
});

describe('buildCemRequest', () => {
  it('computes issuer (RFC 4514) and decimal serial from the certificate', () => {
    const { request } = buildCemRequest({
      sender: 'ACME',
      requestId: 'req-1',
      originated: cemDateTime(NOW),
      xmlContentId: 'xml@acme.test',
      items: [{ usages: ['keyEncipherment'], responseUrl: 'https://as2.acme.test/as2', certificates: chainDers(parties, parties.encryption), contentId: 'enc@acme.test' }],
    });
    const printed = openssl(['x509', '-in', parties.encryption.certPath, '-noout', '-issuer', '-nameopt', 'RFC2253']).toString('utf8').trim();
    expect(request.trustRequests[0]?.certificate).toEqual({ issuer: printed.replace(/^issuer=/, ''), serial: '340282366920938463463374607431768211455' });
    expect(request.sender).toEqual({ name: 'ACME', qualifier: 'AS2' });
  });

  it('merges items for the same certificate into one TrustRequest with the union of usages', () => {
    const certificates = chainDers(parties, parties.signing);
    const { request, entity } = buildCemRequest({
      sender: { name: 'ACME', qualifier: 'AS2' },
      requestId: 'req-2',
      originated: cemDateTime(NOW),
      xmlContentId: 'xml@acme.test',
      items: [
        { usages: ['digitalSignature'], responseUrl: 'https://as2.acme.test/as2', certificates, contentId: 'c1@acme.test' },
        { usages: ['tlsClient', 'digitalSignature'], responseUrl: 'https://as2.acme.test/as2', certificates: certificates.slice(0, 1), contentId: 'c2@acme.test' },
      ],
    });
    expect(request.trustRequests).toHaveLength(1);
    expect(request.trustRequests[0]?.usages).toEqual(['digitalSignature', 'tlsClient']);
    expect(entity.mime.parts).toHaveLength(2);
  });

  it('refuses merged items that disagree, and items without certificates, with CEM_ARGUMENT', () => {
    const certificates = chainDers(parties, parties.signing);
    const base = { sender: 'ACME', requestId: 'req-3', originated: cemDateTime(NOW), xmlContentId: 'xml@acme.test' };
    const item = { usages: ['digitalSignature' as const], responseUrl: 'https://as2.acme.test/as2', certificates, contentId: 'c1@acme.test' };
    expect(code(() => buildCemRequest({ ...base, items: [item, { ...item, responseUrl: 'https://other.test/' }] }))).toBe('CEM_ARGUMENT');
    expect(
      code(() =>
        buildCemRequest({
          ...base,
          items: [
            { ...item, respondBy: cemDateTime(new Date('2025-07-01T00:00:00Z')) },
            { ...item, respondBy: cemDateTime(new Date('2025-08-01T00:00:00Z')) },
          ],
        }),
      ),
    ).toBe('CEM_ARGUMENT');
    expect(code(() => buildCemRequest({ ...base, items: [{ ...item, certificates: [] }] }))).toBe('CEM_ARGUMENT');
    expect(code(() => buildCemRequest({ ...base, items: [] }))).toBe('CEM_ARGUMENT');
  });

  it('refuses an item whose first certificate is not the end-entity certificate with CEM_ARGUMENT', () => {
    const ca = makeCert({ subject: '/CN=Lonely CA', ca: true });
    const leaf = makeCert({ subject: '/CN=leaf.test', issuer: ca });
    const base = { sender: 'ACME', requestId: 'req-4', originated: cemDateTime(NOW), xmlContentId: 'xml@acme.test' };
    expect(
      code(() =>
        buildCemRequest({ ...base, items: [{ usages: ['digitalSignature'], responseUrl: 'https://as2.acme.test/', certificates: [ca.der, leaf.der], contentId: 'c@x.test' }] }),
      ),
    ).toBe('CEM_ARGUMENT');
  });
});

describe('buildCemResponseEntity', () => {
  it('writes a multipart/related with the single XML part', () => {
    const e = buildCemResponseEntity({ response: responseOf(requestOf([trustRequest(parties.signing, 'c1@acme.test')])), xmlContentId: 'resp@partner.test' });
    const parsed = parseMimeEntity(serializeCemEntity(e));
    expect(parsed.contentType?.params.type).toBe('application/ediint-cert-exchange+xml');
    expect(parsed.parts).toHaveLength(1);
    expect(getHeader(parsed.parts?.[0] ?? parsed, 'content-id')).toBe('<resp@partner.test>');
    expect(text(parsed.parts?.[0]?.body)).toBe(e.xml);
    expect(e.xml).toContain('<CertStatus>Accepted</CertStatus>');
  });
});
