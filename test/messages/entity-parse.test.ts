import { beforeAll, describe, expect, it } from 'vitest';
import { readCertificate } from '../../src/crypto/certificate.js';
import { encodeCertsOnly } from '../../src/crypto/certs-only.js';
import { serializeCemEntity } from '../../src/messages/entity/serialize.js';
import { buildCemRequestEntity } from '../../src/messages/entity/build-request.js';
import { buildCemResponseEntity } from '../../src/messages/entity/build-response.js';
import { isCemEntity, parseCemEntity } from '../../src/messages/entity/parse.js';
import type { CemTrustRequest } from '../../src/messages/model.js';
import { serializeCemRequest } from '../../src/messages/request-xml.js';
import { serializeCemResponse } from '../../src/messages/response-xml.js';
import { makeCert, type TestCert } from '../helpers/pki.js';
import { chainDers, entity, makeParties, p7cOf, requestOf, responseOf, trustRequest, type Parties } from '../fixtures/mime/cem-parties.js';

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

interface PartSpec {
  readonly headers: readonly string[];
  readonly body: string | Uint8Array;
}

/** A multipart/related written by hand, CRLF unless `eol` says otherwise. */
function related(parts: readonly PartSpec[], options: { params?: string; boundary?: string; eol?: string; preamble?: string; epilogue?: string; close?: boolean } = {}) {
  const eol = options.eol ?? '\r\n';
  const boundary = options.boundary ?? 'b-1';
  const chunks: (string | Uint8Array)[] = [
    `Content-Type: multipart/related; ${options.params ?? 'type="application/ediint-cert-exchange+xml"'}; boundary="${boundary}"${eol}${eol}`,
    options.preamble ?? '',
  ];
  for (const part of parts) chunks.push(`--${boundary}${eol}${part.headers.map((h) => `${h}${eol}`).join('')}${eol}`, part.body, eol);
  if (options.close !== false) chunks.push(`--${boundary}--${eol}${options.epilogue ?? ''}`);
  return entity(...chunks);
}

const xmlPart = (xml: string, id: string | null = '<xml@acme.test>', type = 'application/ediint-cert-exchange+xml'): PartSpec => ({
  headers: [`Content-Type: ${type}`, ...(id === null ? [] : [`Content-ID: ${id}`])],
  body: xml,
});
const certPart = (p7c: Uint8Array | string, id: string | null, extra: string[] = []): PartSpec => ({
  headers: ['Content-Type: application/pkcs7-mime; smime-type=certs-only', ...(id === null ? [] : [`Content-ID: ${id}`]), ...extra],
  body: p7c,
});
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64').replace(/.{76}/g, '$&\r\n');

function oneCert(cert: TestCert = parties.signing, id = 'c1@acme.test', t: Partial<CemTrustRequest> = {}) {
  const trust = { ...trustRequest(cert, id), ...t };
  return { trust, xml: serializeCemRequest(requestOf([trust])), p7c: p7cOf(parties, cert) };
}

describe('parseCemEntity: round trips', () => {
  it('reads back a built Request with two certificates, checked against their TrustRequests', () => {
    const request = requestOf([trustRequest(parties.signing, 'sign@acme.test'), trustRequest(parties.encryption, 'enc@acme.test', ['keyEncipherment'])]);
    const built = buildCemRequestEntity({
      request,
      xmlContentId: 'xml@acme.test',
      certificates: [
        { contentId: 'sign@acme.test', endEntity: parties.signing.der, chain: chainDers(parties, parties.signing).slice(1) },
        { contentId: 'enc@acme.test', endEntity: parties.encryption.der, chain: chainDers(parties, parties.encryption).slice(1) },
      ],
    });
    for (const input of [serializeCemEntity(built), { contentType: built.contentType, body: built.body }]) {
      const parsed = parseCemEntity(input);
      if (parsed.kind !== 'request') throw new Error('expected a request');
      expect(parsed.xml).toBe(built.xml);
      expect(parsed.request.trustRequests.map((t) => t.contentId)).toEqual(['sign@acme.test', 'enc@acme.test']);
      expect(parsed.certificates.map((c) => c.endEntity.sha256)).toEqual([readCertificate(parties.signing.der).sha256, readCertificate(parties.encryption.der).sha256]);
      expect(parsed.certificates.map((c) => c.chain.map((x) => x.subject))).toEqual([
        [readCertificate(parties.pki.intermediate.der).subject, readCertificate(parties.pki.root.der).subject],
        [readCertificate(parties.pki.intermediate.der).subject, readCertificate(parties.pki.root.der).subject],
      ]);
      expect(parsed.certificates[0]?.trustRequest).toBe(parsed.request.trustRequests[0]);
      expect(parsed.certificates[1]?.unrelated).toEqual([]);
      expect(parsed.certificates[1]?.p7c).toEqual(built.mime.parts?.[2]?.body);
    }
  });

  it('reads back a built Response, with and without start, binary or base64', () => {
    const response = responseOf(requestOf([trustRequest(parties.signing, 'c1@acme.test')]));
    for (const options of [{}, { start: true }, { transferEncoding: 'binary' as const }]) {
      const built = buildCemResponseEntity({ response, xmlContentId: 'resp@partner.test', ...options });
      const parsed = parseCemEntity(serializeCemEntity(built));
      expect(parsed.kind).toBe('response');
      if (parsed.kind === 'response') expect(parsed.response.trustResponses[0]?.certificate).toEqual(response.trustResponses[0]?.certificate);
    }
  });
});

describe('parseCemEntity: entities as peers send them', () => {
  it('reads a mendelson-style Request: lower-case headers, bare Content-IDs, binary, Content-Disposition, filtered issuer', () => {
    const info = readCertificate(parties.signing.der);
    // mendelson keeps CN, O, OU, C, ST, L, E in that order, comma-joined; tab-indented XML, \n line ends.
    const xml = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<EDIINTCertificateExchangeRequest xmlns="urn:ietf:params:xml:ns:ediintcertificateexchange" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" requestId="202506301200-1">',
      '\t<TradingPartnerInfo>',
      '\t\t<Name qualifier="AS2">mecas2</Name>',
      '\t\t<MessageOriginated>2025-06-30T14:00:00+02:00</MessageOriginated>',
      '\t</TradingPartnerInfo>',
      '\t<TrustRequest>',
      '\t\t<CertUsage>digitalSignature</CertUsage>',
      '\t\t<RespondByDate>2025-07-30T00:00:00+02:00</RespondByDate>',
      '\t\t<ResponseURL>http://mendelson.test:8080/as2/HttpReceiver</ResponseURL>',
      '\t\t<EndEntity>',
      '\t\t\t<CertificateIdentifier>',
      '\t\t\t\t<ds:X509IssuerName>CN=Acme Issuing CA 1,O=Acme Trust,OU=Issuing,C=US</ds:X509IssuerName>',
      `\t\t\t\t<ds:X509SerialNumber>${info.serial}</ds:X509SerialNumber>`,
      '\t\t\t</CertificateIdentifier>',
      '\t\t\t<CertificateContentID>202506301200-3</CertificateContentID>',
      '\t\t</EndEntity>',
      '\t</TrustRequest>',
      '</EDIINTCertificateExchangeRequest>',
    ].join('\n');
    const bytes = entity(
      'content-type: multipart/related; type="application/ediint-cert-exchange+xml"; \r\n\tboundary="----=_Part_7_1751284800000.1"\r\nmime-version: 1.0\r\n\r\n',
      '------=_Part_7_1751284800000.1\r\ncontent-type: application/ediint-cert-exchange+xml\r\ncontent-id: 202506301200-2\r\ncontent-transfer-encoding: binary\r\ncontent-disposition: attachment; filename=cem4711.xml\r\n\r\n',
      xml,
      '\r\n------=_Part_7_1751284800000.1\r\ncontent-type: application/pkcs7-mime; smime-type=certs-only\r\ncontent-id: 202506301200-3\r\ncontent-transfer-encoding: binary\r\ncontent-disposition: attachment; filename=cert4711.p7c\r\n\r\n',
      p7cOf(parties, parties.signing),
      '\r\n------=_Part_7_1751284800000.1--\r\n',
    );
    const parsed = parseCemEntity(bytes);
    if (parsed.kind !== 'request') throw new Error('expected a request');
    expect(parsed.request.requestId).toBe('202506301200-1');
    expect(parsed.certificates[0]?.contentId).toBe('202506301200-3');
    expect(parsed.certificates[0]?.endEntity.serial).toBe(info.serial);
    expect(isCemEntity('multipart/related; type="application/ediint-cert-exchange+xml"; boundary=x')).toBe(true);
  });

  it('honours start naming the XML part placed second (RFC 2387 §3.2)', () => {
    const { xml, p7c } = oneCert();
    const bytes = related([certPart(p7c, '<c1@acme.test>'), xmlPart(xml)], { params: 'type="application/ediint-cert-exchange+xml"; start="<xml@acme.test>"' });
    expect(parseCemEntity(bytes).kind).toBe('request');
  });

  it('finds the XML part by type when it is not first and there is no start', () => {
    const { xml, p7c } = oneCert();
    expect(parseCemEntity(related([certPart(p7c, '<c1@acme.test>'), xmlPart(xml)])).kind).toBe('request');
  });

  it('reads LF-only input with base64 parts', () => {
    const { xml, p7c } = oneCert();
    const bytes = related([xmlPart(xml), certPart(b64(p7c).replace(/\r\n/g, '\n'), 'c1@acme.test', ['Content-Transfer-Encoding: base64'])], { eol: '\n' });
    expect(parseCemEntity(bytes).kind).toBe('request');
  });

  it('reads folded headers, a bare boundary, a preamble and an epilogue', () => {
    const { xml, p7c } = oneCert();
    const body = related([xmlPart(xml), certPart(p7c, '<c1@acme.test>')], { boundary: 'bare_Boundary.1', preamble: 'This is a multi-part message in MIME format.\r\n', epilogue: 'trailing junk\r\n--bare_Boundary.1\r\n' });
    const text = Buffer.from(body).toString('latin1').replace(
      'Content-Type: multipart/related; type="application/ediint-cert-exchange+xml"; boundary="bare_Boundary.1"',
      'Content-Type: multipart/related;\r\n type="application/ediint-cert-exchange+xml";\r\n\tboundary=bare_Boundary.1',
    );
    expect(parseCemEntity(new Uint8Array(Buffer.from(text, 'latin1'))).kind).toBe('request');
  });

  it('reads certs-only parts as base64 with a CTE, base64 without one (sniffed), PEM, and binary', () => {
    const { xml, p7c } = oneCert();
    const pem = `-----BEGIN PKCS7-----\r\n${b64(p7c)}\r\n-----END PKCS7-----\r\n`;
    const variants = [
      certPart(b64(p7c), '<c1@acme.test>', ['Content-Transfer-Encoding: base64']),
      certPart(b64(p7c), '<c1@acme.test>'),
      certPart(b64(p7c), '<c1@acme.test>', ['Content-Transfer-Encoding: 7bit']),
      certPart(pem, '<c1@acme.test>'),
      certPart(p7c, '<c1@acme.test>', ['Content-Transfer-Encoding: binary']),
      certPart(p7c, '<c1@acme.test>', ['Content-Transfer-Encoding: 8bit']),
    ];
    for (const variant of variants) {
      const parsed = parseCemEntity(related([xmlPart(xml), variant]));
      if (parsed.kind !== 'request') throw new Error('expected a request');
      expect(parsed.certificates[0]?.p7c).toEqual(p7c);
    }
  });

  it('reads a BER certs-only part with an indefinite outer length, as other products send', () => {
    const { xml, p7c } = oneCert();
    // DER 30 82 hi lo <content> becomes BER 30 80 <content> 00 00.
    expect([p7c[0], p7c[1]]).toEqual([0x30, 0x82]);
    const ber = entity(new Uint8Array([0x30, 0x80]), p7c.subarray(4), new Uint8Array([0, 0]));
    const parsed = parseCemEntity(related([xmlPart(xml), certPart(ber, '<c1@acme.test>', ['Content-Transfer-Encoding: binary'])]));
    if (parsed.kind !== 'request') throw new Error('expected a request');
    expect(parsed.certificates[0]?.endEntity.serial).toBe(parties.signing.serial);
  });

  it('reads the XML part with a charset parameter (which wins over the declaration) and in quoted-printable', () => {
    const { xml, p7c } = oneCert(parties.signing, 'c1@acme.test', { responseUrl: 'https://as2.acme.test/as2?x=é' });
    const latin1 = new Uint8Array(Buffer.from(xml.replace('encoding="UTF-8"', 'encoding="UTF-8"'), 'latin1'));
    const qp = xml.replace(/=/g, '=3D').replace('é', '=C3=A9');
    const parts = [
      { headers: ['Content-Type: application/ediint-cert-exchange+xml; charset=ISO-8859-1', 'Content-ID: <xml@acme.test>'], body: latin1 },
      { headers: ['Content-Type: application/ediint-cert-exchange+xml', 'Content-ID: <xml@acme.test>', 'Content-Transfer-Encoding: quoted-printable'], body: qp },
    ];
    for (const part of parts) {
      const parsed = parseCemEntity(related([part, certPart(p7c, '<c1@acme.test>')]));
      if (parsed.kind !== 'request') throw new Error('expected a request');
      expect(parsed.request.trustRequests[0]?.responseUrl).toBe('https://as2.acme.test/as2?x=é');
    }
  });

  it('reads a UTF-16 XML part by its byte order mark, with or without a charset parameter, base64 or binary', () => {
    const { xml, p7c } = oneCert(parties.signing, 'c1@acme.test', { responseUrl: 'https://as2.acme.test/as2?x=é' });
    const utf16 = new Uint8Array(Buffer.from(`\uFEFF${xml.replace('encoding="UTF-8"', 'encoding="UTF-16"')}`, 'utf16le'));
    const headers = (type: string, cte: string[] = []) => [`Content-Type: ${type}`, 'Content-ID: <xml@acme.test>', ...cte];
    const parts = [
      { headers: headers('application/ediint-cert-exchange+xml'), body: utf16 },
      { headers: headers('application/ediint-cert-exchange+xml; charset=UTF-16'), body: utf16 },
      { headers: headers('application/ediint-cert-exchange+xml; charset=utf-8'), body: utf16 }, // the byte order mark wins (RFC 7303 §3)
      { headers: headers('application/ediint-cert-exchange+xml', ['Content-Transfer-Encoding: base64']), body: b64(utf16) },
      { headers: headers('application/ediint-cert-exchange+xml'), body: new Uint8Array(Buffer.from(utf16).swap16()) },
    ];
    for (const part of parts) {
      const parsed = parseCemEntity(related([part, certPart(p7c, '<c1@acme.test>')]));
      if (parsed.kind !== 'request') throw new Error('expected a request');
      expect(parsed.request.trustRequests[0]?.responseUrl).toBe('https://as2.acme.test/as2?x=é');
      expect(parsed.xml.startsWith('<?xml')).toBe(true);
    }
  });

  it('accepts Content-IDs with or without brackets and in another case than the XML', () => {
    const { xml, p7c } = oneCert(parties.signing, 'C1@Acme.Test');
    expect(parseCemEntity(related([xmlPart(xml, 'xml@acme.test'), certPart(p7c, 'c1@acme.test')])).kind).toBe('request');
  });

  it('accepts multipart/related without type=, recognising the part by its type or its root element', () => {
    const { xml, p7c } = oneCert();
    expect(parseCemEntity(related([xmlPart(xml), certPart(p7c, '<c1@acme.test>')], { params: 'charset=utf-8' })).kind).toBe('request');
    const generic = related([xmlPart(xml, '<xml@acme.test>', 'application/xml'), certPart(p7c, '<c1@acme.test>')], { params: 'type="application/xml"' });
    expect(parseCemEntity(generic).kind).toBe('request');
    expect(isCemEntity('multipart/related; type="application/xml"; boundary="b-1"', generic.subarray(generic.indexOf(0x0a) + 3))).toBe(true);
  });

  it('accepts a bare CEM XML body, and a Request in one is unresolved', () => {
    const response = serializeCemResponse(responseOf(requestOf([trustRequest(parties.signing, 'c1@acme.test')])));
    const parsed = parseCemEntity({ contentType: 'application/EDIINT-cert-exchange+xml', body: new TextEncoder().encode(response) });
    expect(parsed.kind).toBe('response');
    const { xml } = oneCert();
    expect(code(() => parseCemEntity(`Content-Type: application/ediint-cert-exchange+xml\r\n\r\n${xml}`))).toBe('CEM_MIME_UNRESOLVED_CONTENT_ID');
  });

  it('finds the multipart/related inside its multipart/signed', () => {
    const { xml, p7c } = oneCert();
    const inner = related([xmlPart(xml), certPart(b64(p7c), '<c1@acme.test>', ['Content-Transfer-Encoding: base64'])]);
    const signed = entity(
      'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="outer"\r\n\r\n--outer\r\n',
      inner,
      '\r\n--outer\r\nContent-Type: application/pkcs7-signature\r\nContent-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\r\n--outer--\r\n',
    );
    expect(parseCemEntity(signed).kind).toBe('request');
    const signedType = 'multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="outer"';
    const signedBody = signed.subarray(signed.indexOf(0x0a) + 3);
    expect(isCemEntity(signedType, signedBody)).toBe(true);
    expect(isCemEntity(signedType)).toBe(false);
  });

  it('matches issuers by meaning: the draft E=/S= form, mendelson order, spacing and case', () => {
    const ca = makeCert({ subject: '/C=US/ST=Texas/L=Ft. Worth/O=DGI/OU=DGI/emailAddress=as2@dgi.test/CN=Cleo-SP', ca: true });
    const leaf = makeCert({ subject: '/C=US/O=DGI/CN=as2.dgi.test', issuer: ca, serial: '123456789012345678901234567890123456789' });
    const p7c = encodeCertsOnly([leaf.der, ca.der]);
    for (const issuer of [
      'CN=Cleo-SP,E=as2@dgi.test,O=DGI,OU=DGI,L=Ft. Worth,S=Texas,C=US',
      'CN=Cleo-SP,O=DGI,OU=DGI,C=US,ST=Texas,L=Ft. Worth,E=as2@dgi.test',
      'cn=cleo-sp, e=AS2@DGI.TEST, o=dgi, ou=dgi, l=ft.  worth, s=texas, c=us',
    ]) {
      const trust = { ...trustRequest(leaf, 'c1@dgi.test'), certificate: { issuer, serial: '123456789012345678901234567890123456789' } };
      const parsed = parseCemEntity(related([xmlPart(serializeCemRequest(requestOf([trust]))), certPart(p7c, '<c1@dgi.test>')]));
      if (parsed.kind !== 'request') throw new Error('expected a request');
      expect(parsed.request.trustRequests[0]?.certificate.issuer).toBe(issuer);
    }
  });
});

describe('parseCemEntity: refusals', () => {
  it('refuses ordinary payloads with CEM_MIME_NOT_CEM', () => {
    expect(code(() => parseCemEntity('Content-Type: application/edi-x12\r\n\r\nISA*00*'))).toBe('CEM_MIME_NOT_CEM');
    expect(code(() => parseCemEntity({ contentType: 'application/edifact', body: new Uint8Array([0xff, 0xfe]), contentTransferEncoding: 'base64' }))).toBe('CEM_MIME_NOT_CEM');
    expect(code(() => parseCemEntity({ contentType: 'not a media type', body: new Uint8Array() }))).toBe('CEM_MIME_NOT_CEM');
    expect(code(() => parseCemEntity('no headers here'))).toBe('CEM_MIME_NOT_CEM');
    const plain = related([{ headers: ['Content-Type: text/plain', 'Content-ID: <a@b>'], body: 'hello' }], { params: 'type="text/plain"' });
    expect(code(() => parseCemEntity(plain))).toBe('CEM_MIME_NOT_CEM');
    expect(isCemEntity('application/edi-x12')).toBe(false);
    expect(isCemEntity('multipart/related; type="text/plain"; boundary="b-1"', plain.subarray(plain.indexOf(0x0a) + 3))).toBe(false);
    expect(isCemEntity('%%%')).toBe(false);
  });

  it('refuses zero or several CEM XML parts, and a start naming another part, with CEM_MIME_ROOT', () => {
    const { xml, p7c } = oneCert();
    expect(code(() => parseCemEntity(related([certPart(p7c, '<c1@acme.test>')])))).toBe('CEM_MIME_ROOT');
    expect(code(() => parseCemEntity(related([xmlPart(xml), xmlPart(xml, '<xml2@acme.test>'), certPart(p7c, '<c1@acme.test>')])))).toBe('CEM_MIME_ROOT');
    const wrongStart = related([xmlPart(xml), certPart(p7c, '<c1@acme.test>')], { params: 'type="application/ediint-cert-exchange+xml"; start="<c1@acme.test>"' });
    expect(code(() => parseCemEntity(wrongStart))).toBe('CEM_MIME_ROOT');
    const missingStart = related([xmlPart(xml), certPart(p7c, '<c1@acme.test>')], { params: 'type="application/ediint-cert-exchange+xml"; start="<nobody@acme.test>"' });
    expect(code(() => parseCemEntity(missingStart))).toBe('CEM_MIME_ROOT');
  });

  it('refuses duplicate, repeated and needed-but-missing Content-IDs with CEM_MIME_CONTENT_ID', () => {
    const { xml, p7c } = oneCert();
    expect(code(() => parseCemEntity(related([xmlPart(xml, '<c1@acme.test>'), certPart(p7c, '<C1@acme.test>')])))).toBe('CEM_MIME_CONTENT_ID');
    expect(code(() => parseCemEntity(related([xmlPart(xml), certPart(p7c, null)])))).toBe('CEM_MIME_CONTENT_ID');
    expect(code(() => parseCemEntity(related([xmlPart(xml), certPart(p7c, '<c1@acme.test>', ['Content-ID: <c2@acme.test>'])])))).toBe('CEM_MIME_CONTENT_ID');
  });

  it('tolerates a missing Content-ID on the unreferenced XML root unless requireContentIds', () => {
    const { xml, p7c } = oneCert();
    const bytes = related([xmlPart(xml, null), certPart(p7c, '<c1@acme.test>')]);
    expect(parseCemEntity(bytes).kind).toBe('request');
    expect(code(() => parseCemEntity(bytes, { requireContentIds: true }))).toBe('CEM_MIME_CONTENT_ID');
  });

  it('refuses a CertificateContentID with no matching part with CEM_MIME_UNRESOLVED_CONTENT_ID', () => {
    const { xml, p7c } = oneCert();
    expect(code(() => parseCemEntity(related([xmlPart(xml), certPart(p7c, '<other@acme.test>')])))).toBe('CEM_MIME_UNRESOLVED_CONTENT_ID');
  });

  it('refuses a certs-only part that is not PKCS#7 with CEM_PKCS7_INVALID', () => {
    const { xml } = oneCert();
    expect(code(() => parseCemEntity(related([xmlPart(xml), certPart('this is not a certificate', '<c1@acme.test>')])))).toBe('CEM_PKCS7_INVALID');
    expect(code(() => parseCemEntity(related([xmlPart(xml), certPart(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]), '<c1@acme.test>')])))).toBe('CEM_PKCS7_INVALID');
  });

  it('refuses a P7C with zero or several end-entity certificates with CEM_PKCS7_END_ENTITY', () => {
    const { xml } = oneCert();
    const two = encodeCertsOnly([parties.signing.der, parties.encryption.der, parties.pki.intermediate.der]);
    const none = encodeCertsOnly([parties.pki.intermediate.der, parties.pki.root.der]);
    expect(code(() => parseCemEntity(related([xmlPart(xml), certPart(two, '<c1@acme.test>')])))).toBe('CEM_PKCS7_END_ENTITY');
    expect(code(() => parseCemEntity(related([xmlPart(xml), certPart(none, '<c1@acme.test>')])))).toBe('CEM_PKCS7_END_ENTITY');
  });

  it('refuses a certificate whose serial or issuer differ from its CertificateIdentifier with CEM_CERT_MISMATCH', () => {
    const { xml } = oneCert();
    expect(code(() => parseCemEntity(related([xmlPart(xml), certPart(p7cOf(parties, parties.encryption), '<c1@acme.test>')])))).toBe('CEM_CERT_MISMATCH');
    const { trust, p7c } = oneCert();
    const otherIssuer = serializeCemRequest(requestOf([{ ...trust, certificate: { ...trust.certificate, issuer: 'CN=Acme Root CA,O=Acme Trust,C=US' } }]));
    expect(code(() => parseCemEntity(related([xmlPart(otherIssuer), certPart(p7c, '<c1@acme.test>')])))).toBe('CEM_CERT_MISMATCH');
  });

  it('refuses certs-only parts nobody references, references to other parts, and certs in a Response with CEM_MIME_CERT_PART', () => {
    const { xml, p7c } = oneCert();
    const extra = related([xmlPart(xml), certPart(p7c, '<c1@acme.test>'), certPart(p7cOf(parties, parties.encryption), '<c2@acme.test>')]);
    expect(code(() => parseCemEntity(extra))).toBe('CEM_MIME_CERT_PART');
    const toText = related([xmlPart(xml), { headers: ['Content-Type: text/plain', 'Content-ID: <c1@acme.test>'], body: 'x' }]);
    expect(code(() => parseCemEntity(toText))).toBe('CEM_MIME_CERT_PART');
    const selfRef = oneCert(parties.signing, 'xml@acme.test').xml;
    expect(code(() => parseCemEntity(related([xmlPart(selfRef)])))).toBe('CEM_MIME_CERT_PART');
    const response = serializeCemResponse(responseOf(requestOf([trustRequest(parties.signing, 'c1@acme.test')])));
    expect(code(() => parseCemEntity(related([xmlPart(response), certPart(p7c, '<c1@acme.test>')])))).toBe('CEM_MIME_CERT_PART');
  });

  it('ignores parts of other types', () => {
    const { xml, p7c } = oneCert();
    const bytes = related([xmlPart(xml), certPart(p7c, '<c1@acme.test>'), { headers: ['Content-Type: text/plain'], body: 'a note' }]);
    expect(parseCemEntity(bytes).kind).toBe('request');
  });

  it('refuses an unterminated multipart with CEM_MIME_UNTERMINATED', () => {
    const { xml, p7c } = oneCert();
    expect(code(() => parseCemEntity(related([xmlPart(xml), certPart(p7c, '<c1@acme.test>')], { close: false })))).toBe('CEM_MIME_UNTERMINATED');
  });

  it('refuses broken XML in the root with its CEM_XML code and an unknown charset with CEM_MIME_ENCODING', () => {
    expect(code(() => parseCemEntity(related([xmlPart('<EDIINTCertificateExchangeRequest')])))).toBe('CEM_XML_MALFORMED');
    expect(code(() => parseCemEntity(related([xmlPart('<!DOCTYPE x [<!ENTITY a "b">]><x/>')])))).toBe('CEM_XML_DOCTYPE');
    const part = { headers: ['Content-Type: application/ediint-cert-exchange+xml; charset=x-no-such-charset', 'Content-ID: <x@y>'], body: '<x/>' };
    expect(code(() => parseCemEntity(related([part])))).toBe('CEM_MIME_ENCODING');
  });

  it('refuses input over maxBytes with CEM_MIME_TOO_LARGE', () => {
    const { xml, p7c } = oneCert();
    expect(code(() => parseCemEntity(related([xmlPart(xml), certPart(p7c, '<c1@acme.test>')]), { maxBytes: 1000 }))).toBe('CEM_MIME_TOO_LARGE');
  });

  it('refuses an XML part over maxXmlBytes (1 MiB by default) with CEM_XML_TOO_LARGE, counted in decoded bytes', () => {
    const { xml, p7c } = oneCert();
    const size = Buffer.byteLength(xml);
    const cert = certPart(p7c, '<c1@acme.test>');
    const plain = related([xmlPart(xml), cert]);
    expect(parseCemEntity(plain, { maxXmlBytes: size }).kind).toBe('request');
    expect(code(() => parseCemEntity(plain, { maxXmlBytes: size - 1 }))).toBe('CEM_XML_TOO_LARGE');
    // the cap applies to the decoded XML, not to its base64 form
    const base64 = related([{ headers: ['Content-Type: application/ediint-cert-exchange+xml', 'Content-ID: <xml@acme.test>', 'Content-Transfer-Encoding: base64'], body: b64(Buffer.from(xml)) }, cert]);
    expect(parseCemEntity(base64, { maxXmlBytes: size }).kind).toBe('request');
    expect(code(() => parseCemEntity(base64, { maxXmlBytes: size - 1 }))).toBe('CEM_XML_TOO_LARGE');
    // a charset parameter takes the other decoding path; the cap still holds
    const latin1 = related([{ headers: ['Content-Type: application/ediint-cert-exchange+xml; charset=ISO-8859-1', 'Content-ID: <xml@acme.test>'], body: xml }, cert]);
    expect(code(() => parseCemEntity(latin1, { maxXmlBytes: size - 1 }))).toBe('CEM_XML_TOO_LARGE');
    // the default: an XML part just over 1 MiB inside an entity well under the 16 MiB MIME cap
    const padded = xml.replace('<EDIINTCertificateExchangeRequest', `<!--${'x'.repeat(1024 * 1024)}--><EDIINTCertificateExchangeRequest`);
    const large = related([xmlPart(padded), cert]);
    expect(large.byteLength).toBeLessThan(16 * 1024 * 1024);
    expect(code(() => parseCemEntity(large))).toBe('CEM_XML_TOO_LARGE');
    expect(parseCemEntity(large, { maxXmlBytes: 2 * 1024 * 1024 }).kind).toBe('request');
    for (const bad of [0, -1, 1.5]) expect(code(() => parseCemEntity(plain, { maxXmlBytes: bad }))).toBe('CEM_ARGUMENT');
  });

  it('names the media type of an ordinary payload with the right article', () => {
    const message = (input: string): string => {
      try {
        parseCemEntity(input);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    expect(message('Content-Type: application/edi-consent\r\n\r\nUNA')).toBe('an application/edi-consent entity is not a CEM entity');
    expect(message('Content-Type: text/plain\r\n\r\nhi')).toBe('a text/plain entity is not a CEM entity');
    expect(message('no headers here')).toBe('an untyped entity is not a CEM entity');
    const plain = related([{ headers: ['Content-Type: text/plain', 'Content-ID: <a@b>'], body: 'hello' }], { params: 'type="text/plain"' });
    expect(code(() => parseCemEntity(plain))).toBe('CEM_MIME_NOT_CEM');
  });

  it('refuses input of the wrong shape with CEM_ARGUMENT', () => {
    expect(code(() => parseCemEntity({ contentType: 'x/y' } as unknown as Uint8Array))).toBe('CEM_ARGUMENT');
  });
});
