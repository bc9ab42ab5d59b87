import { describe, expect, it } from 'vitest';
import { detectCemDocument, parseCemDocument } from '../../src/messages/document-xml.js';
import { parseCemRequest, serializeCemRequest } from '../../src/messages/request-xml.js';
import { parseCemResponse, serializeCemResponse } from '../../src/messages/response-xml.js';
import { CEM_LEGACY_NAMESPACES } from '../../src/messages/xml-vocabulary.js';
import { draftExample, isDeeplyFrozen, validateCemXsd } from '../helpers/xsd.js';

const CEM = 'urn:ietf:params:xml:ns:ediintcertificateexchange';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

/** A minimal request in the default namespace; `parts` replaces pieces of it. */
function request(parts: { root?: string; partner?: string; usages?: string; respondBy?: string; contentId?: string; issuer?: string; serial?: string } = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<EDIINTCertificateExchangeRequest ${parts.root ?? `xmlns="${CEM}" xmlns:ds="${DS}" requestId="r-1"`}>
  ${parts.partner ?? '<TradingPartnerInfo><Name qualifier="AS2">ACME</Name><MessageOriginated>2025-01-31T12:00:00+01:00</MessageOriginated></TradingPartnerInfo>'}
  <TrustRequest>
    ${parts.usages ?? '<CertUsage>digitalSignature</CertUsage>'}
    ${parts.respondBy ?? '<RespondByDate>2025-03-01T00:00:00+01:00</RespondByDate>'}
    <ResponseURL>https://acme.example/as2</ResponseURL>
    <EndEntity>
      <CertificateIdentifier>
        <ds:X509IssuerName>${parts.issuer ?? 'CN=ACME CA,O=ACME'}</ds:X509IssuerName>
        <ds:X509SerialNumber>${parts.serial ?? '4660'}</ds:X509SerialNumber>
      </CertificateIdentifier>
      <CertificateContentID>${parts.contentId ?? 'cert-1@acme.example'}</CertificateContentID>
    </EndEntity>
  </TrustRequest>
</EDIINTCertificateExchangeRequest>`;
}

describe('namespaces are matched by URI, whatever the prefixes', () => {
  const plain = parseCemRequest(request());

  it('reads cem: and dsig: prefixes', () => {
    const xml = `<cem:EDIINTCertificateExchangeRequest xmlns:cem="${CEM}" xmlns:dsig="${DS}" requestId="r-1">
  <cem:TradingPartnerInfo><cem:Name qualifier="AS2">ACME</cem:Name><cem:MessageOriginated>2025-01-31T12:00:00+01:00</cem:MessageOriginated></cem:TradingPartnerInfo>
  <cem:TrustRequest><cem:CertUsage>digitalSignature</cem:CertUsage><cem:RespondByDate>2025-03-01T00:00:00+01:00</cem:RespondByDate>
    <cem:ResponseURL>https://acme.example/as2</cem:ResponseURL>
    <cem:EndEntity><cem:CertificateIdentifier><dsig:X509IssuerName>CN=ACME CA,O=ACME</dsig:X509IssuerName><dsig:X509SerialNumber>4660</dsig:X509SerialNumber></cem:CertificateIdentifier>
      <cem:CertificateContentID>cert-1@acme.example</cem:CertificateContentID></cem:EndEntity></cem:TrustRequest>
</cem:EDIINTCertificateExchangeRequest>`;
    expect(validateCemXsd([xml])).toEqual([[]]);
    expect(parseCemRequest(xml)).toEqual(plain);
  });

  it('reads namespaces redeclared on inner elements', () => {
    const xml = request({
      root: `xmlns:p="${CEM}" xmlns="urn:example:other" xmlns:ds="urn:example:not-dsig" requestId="r-1"`,
      partner: `<TradingPartnerInfo xmlns="${CEM}"><Name qualifier="AS2">ACME</Name><MessageOriginated>2025-01-31T12:00:00+01:00</MessageOriginated></TradingPartnerInfo>`,
    })
      .replace('<EDIINTCertificateExchangeRequest ', '<p:EDIINTCertificateExchangeRequest ')
      .replace('</EDIINTCertificateExchangeRequest>', '</p:EDIINTCertificateExchangeRequest>')
      .replace('<TrustRequest>', `<TrustRequest xmlns="${CEM}" xmlns:ds="${DS}">`);
    expect(validateCemXsd([xml])).toEqual([[]]);
    expect(parseCemRequest(xml)).toEqual(plain);
  });

  it('reads xmldsig children in a default namespace of their own', () => {
    const xml = request()
      .replace(/<ds:X509IssuerName>(.*)<\/ds:X509IssuerName>/, `<X509IssuerName xmlns="${DS}">$1</X509IssuerName>`)
      .replace(/<ds:X509SerialNumber>(.*)<\/ds:X509SerialNumber>/, `<X509SerialNumber xmlns="${DS}">$1</X509SerialNumber>`);
    expect(parseCemRequest(xml)).toEqual(plain);
  });

  it.each(CEM_LEGACY_NAMESPACES)('accepts the pre-2006 namespace %s as an alias', (legacy) => {
    const xml = request({ root: `xmlns="${legacy}" xmlns:ds="${DS}" requestId="r-1"` });
    expect(parseCemRequest(xml)).toEqual(plain);
  });
});

describe('mendelson-style documents', () => {
  // Shaped as mendelson opensource AS2 writes them (described in the peer research): tabs, LF,
  // xsi declared but unused, requestId yyyyMMddHHmm-counter, bare Content-ID, whole-hour
  // offsets, reason in CDATA, no newline after the root end tag.
  const mendelsonRequest = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<EDIINTCertificateExchangeRequest xmlns="${CEM}" xmlns:ds="${DS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" requestId="202501311200-1738324800123">`,
    '\t<TradingPartnerInfo>',
    '\t\t<Name qualifier="AS2">mecas2</Name>',
    '\t\t<MessageOriginated>2025-01-31T12:00:00+01:00</MessageOriginated>',
    '\t</TradingPartnerInfo>',
    '\t<TrustRequest>',
    '\t\t<CertUsage>keyEncipherment</CertUsage>',
    '\t\t<CertUsage>tlsServer</CertUsage>',
    '\t\t<CertUsage>digitalSignature</CertUsage>',
    '\t\t<RespondByDate>2025-02-28T00:00:00+01:00</RespondByDate>',
    '\t\t<ResponseURL>http://as2.mecas2.example:8080/as2/HttpReceiver</ResponseURL>',
    '\t\t<EndEntity>',
    '\t\t\t<CertificateIdentifier>',
    '\t\t\t\t<ds:X509IssuerName>CN=mendelson test key,O=mendelson-e-commerce GmbH,OU=Do not use in production,C=DE,ST=Berlin,L=Berlin,E=service@mendelson.de</ds:X509IssuerName>',
    '\t\t\t\t<ds:X509SerialNumber>1498216371</ds:X509SerialNumber>',
    '\t\t\t</CertificateIdentifier>',
    '\t\t\t<CertificateContentID>202501311200-1738324800124</CertificateContentID>',
    '\t\t</EndEntity>',
    '\t</TrustRequest>',
    '</EDIINTCertificateExchangeRequest>',
  ].join('\n');

  const mendelsonResponse = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<EDIINTCertificateExchangeResponse xmlns="${CEM}" xmlns:ds="${DS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" requestId="202501311200-1738324800123">`,
    '\t<TradingPartnerInfo>',
    '\t\t<Name qualifier="AS2">pyas2lib</Name>',
    '\t\t<MessageOriginated>2025-01-31T13:00:00+01:00</MessageOriginated>',
    '\t</TradingPartnerInfo>',
    '\t<TrustResponse>',
    '\t\t<CertStatus>Rejected</CertStatus>',
    '\t\t<ReasonForRejection><![CDATA[Failure in certificate import process: <keystore> & friends]]></ReasonForRejection>',
    '\t\t<CertificateReference>',
    '\t\t\t<ds:X509IssuerName>CN=mendelson test key,O=mendelson-e-commerce GmbH</ds:X509IssuerName>',
    '\t\t\t<ds:X509SerialNumber>1498216371</ds:X509SerialNumber>',
    '\t\t</CertificateReference>',
    '\t</TrustResponse>',
    '</EDIINTCertificateExchangeResponse>',
  ].join('\n');

  it('are valid test vectors (XSD)', () => {
    expect(validateCemXsd([mendelsonRequest, mendelsonResponse])).toEqual([[], []]);
  });

  it('reads a mendelson-style request', () => {
    const parsed = parseCemRequest(mendelsonRequest);
    expect(parsed.requestId).toBe('202501311200-1738324800123');
    expect(parsed.sender).toEqual({ name: 'mecas2', qualifier: 'AS2' });
    const trust = parsed.trustRequests[0];
    expect(trust?.usages).toEqual(['keyEncipherment', 'tlsServer', 'digitalSignature']);
    expect(trust?.contentId).toBe('202501311200-1738324800124');
    expect(trust?.certificate.serial).toBe('1498216371');
    expect(trust?.respondBy?.offsetMinutes).toBe(60);
  });

  it('reads a CDATA reason verbatim', () => {
    const parsed = parseCemResponse(mendelsonResponse);
    expect(parsed.trustResponses[0]?.reason).toBe('Failure in certificate import process: <keystore> & friends');
    expect(detectCemDocument(mendelsonResponse)).toBe('response');
  });

  it('re-writes them spec-exact and XSD-valid (reason escaped, not CDATA)', () => {
    const request = serializeCemRequest(parseCemRequest(mendelsonRequest));
    const response = serializeCemResponse(parseCemResponse(mendelsonResponse));
    expect(response).toContain('<ReasonForRejection>Failure in certificate import process: &lt;keystore&gt; &amp; friends</ReasonForRejection>');
    expect(request).not.toContain('\t');
    expect(validateCemXsd([request, response])).toEqual([[], []]);
  });
});

describe('tolerance of what the schema allows and peers omit or add', () => {
  it('reads a request without requestId, qualifier and RespondByDate as nulls', () => {
    const xml = request({
      root: `xmlns="${CEM}" xmlns:ds="${DS}"`,
      partner: '<TradingPartnerInfo><Name>ACME</Name><MessageOriginated>2025-01-31T12:00:00+01:00</MessageOriginated></TradingPartnerInfo>',
      respondBy: '',
    });
    expect(validateCemXsd([xml])).toEqual([[]]);
    const parsed = parseCemRequest(xml);
    expect(parsed.requestId).toBeNull();
    expect(parsed.sender.qualifier).toBeNull();
    expect(parsed.trustRequests[0]?.respondBy).toBeNull();
  });

  it('ignores unknown attributes and foreign extension elements in every xs:any slot', () => {
    const xml = `<?xml version="1.0"?>
<EDIINTCertificateExchangeRequest xmlns="${CEM}" xmlns:ds="${DS}" xmlns:x="urn:example:ext" requestId="r-1" x:trace="abc" version="2">
  <TradingPartnerInfo x:a="1"><Name qualifier="AS2">ACME</Name><MessageOriginated>2025-01-31T12:00:00+01:00</MessageOriginated><x:Contact><x:Mail>ops@acme.example</x:Mail></x:Contact></TradingPartnerInfo>
  <TrustRequest priority="high"><CertUsage>digitalSignature</CertUsage><ResponseURL>https://acme.example/as2</ResponseURL>
    <EndEntity x:b="2"><CertificateIdentifier><ds:X509IssuerName>CN=ACME CA,O=ACME</ds:X509IssuerName><ds:X509SerialNumber>4660</ds:X509SerialNumber></CertificateIdentifier>
      <CertificateContentID>cert-1@acme.example</CertificateContentID><x:Fingerprint alg="sha-256">00ff</x:Fingerprint></EndEntity>
    <x:Note>rotate yearly</x:Note><UnknownCemElement>future</UnknownCemElement></TrustRequest>
  <Extensions><x:Anything deep="yes"><x:Deeper><TrustRequest>not read</TrustRequest></x:Deeper></x:Anything></Extensions>
</EDIINTCertificateExchangeRequest>`;
    expect(validateCemXsd([xml])).toEqual([[]]);
    const parsed = parseCemRequest(xml);
    expect(parsed.trustRequests).toHaveLength(1);
    expect(parsed.trustRequests[0]?.contentId).toBe('cert-1@acme.example');
    expect(isDeeplyFrozen(parsed)).toBe(true);
    // The schema allows no extra attribute on Name; the reader ignores one all the same.
    const named = xml.replace('<Name qualifier="AS2">', '<Name qualifier="AS2" x:display="Acme Corp">');
    expect(parseCemRequest(named)).toEqual(parsed);
  });

  it.each([
    ['&lt;cert-1@acme.example&gt;', 'cert-1@acme.example'],
    ['cid:cert-1@acme.example', 'cert-1@acme.example'],
    ['CID:cert-1%40acme.example', 'cert-1@acme.example'],
    ['&lt;cid:cert-1@acme.example&gt;', 'cert-1@acme.example'],
    ['\n            cert-1@acme.example  ', 'cert-1@acme.example'],
    ['cert-1%40acme.example', 'cert-1%40acme.example'],
  ])('normalises the Content-ID %j to %j', (written, expected) => {
    expect(parseCemRequest(request({ contentId: written })).trustRequests[0]?.contentId).toBe(expected);
  });

  it('keeps Z and fractional dates with their offsets, and writes them spec-exact', () => {
    const parsed = parseCemRequest(
      request({
        partner: '<TradingPartnerInfo><Name>ACME</Name><MessageOriginated>2025-01-31T12:00:00.123Z</MessageOriginated></TradingPartnerInfo>',
        respondBy: '<RespondByDate>2025-03-01T00:00:00</RespondByDate>',
      }),
    );
    expect(parsed.originated).toEqual({ lexical: '2025-01-31T12:00:00.123Z', instant: new Date('2025-01-31T12:00:00.123Z'), offsetMinutes: 0 });
    expect(parsed.trustRequests[0]?.respondBy?.offsetMinutes).toBeNull();
    const written = serializeCemRequest(parsed);
    expect(written).toContain('<MessageOriginated>2025-01-31T12:00:00+00:00</MessageOriginated>');
    expect(written).toContain('<RespondByDate>2025-03-01T00:00:00+00:00</RespondByDate>');
  });

  it('trims whitespace around every value and attribute', () => {
    const xml = request({
      root: `xmlns="${CEM}" xmlns:ds="${DS}" requestId="  r-1\t"`,
      partner: '<TradingPartnerInfo><Name qualifier=" AS2 ">\n  ACME \n</Name><MessageOriginated>\n 2025-01-31T12:00:00+01:00\n</MessageOriginated></TradingPartnerInfo>',
      usages: '<CertUsage>\n digitalSignature </CertUsage>',
      issuer: '\n   CN=ACME CA,O=ACME   ',
      serial: ' 4660\n',
    }).replace('<ResponseURL>https://acme.example/as2</ResponseURL>', '<ResponseURL> https://acme.example/as2\n</ResponseURL>');
    expect(parseCemRequest(xml)).toEqual(parseCemRequest(request()));
  });

  it('keeps serials as written (trimmed), for an exact echo: leading zeros and a plus sign kept, 49 digits kept exactly', () => {
    const serialOf = (serial: string): string | undefined =>
      parseCemRequest(request({ serial })).trustRequests[0]?.certificate.serial;
    expect(serialOf('000123')).toBe('000123');
    expect(serialOf('+42')).toBe('+42');
    expect(serialOf('+0042')).toBe('+0042');
    expect(serialOf('\n  0042\t')).toBe('0042');
    expect(serialOf('0')).toBe('0');
    expect(serialOf('0000')).toBe('0000');
    const big = ((1n << 160n) - 1n).toString();
    expect(big).toHaveLength(49);
    expect(serialOf(big)).toBe(big);
  });

  it('merges repeated CertUsage values in document order', () => {
    const usages = '<CertUsage>tlsClient</CertUsage><CertUsage>tlsServer</CertUsage><CertUsage>tlsClient</CertUsage>';
    expect(parseCemRequest(request({ usages })).trustRequests[0]?.usages).toEqual(['tlsClient', 'tlsServer']);
  });

  it('reads comments, processing instructions, CRLF line ends, single quotes and character references', () => {
    const xml = request({ root: `xmlns='${CEM}' xmlns:ds='${DS}' requestId='r&#x2D;1'`, issuer: 'CN=ACME&#32;CA,O=&#65;CME' })
      .replace('<TrustRequest>', '<!-- one certificate --><?app hint?><TrustRequest>')
      .replace(/\n/g, '\r\n');
    expect(parseCemRequest(xml)).toEqual(parseCemRequest(request()));
  });

  it('reads bytes: UTF-8 with or without BOM, ISO-8859-1 and US-ASCII declarations', () => {
    const utf8 = request({ issuer: 'CN=Müller AG' });
    const expected = parseCemRequest(utf8);
    expect(parseCemRequest(Buffer.from(utf8, 'utf8'))).toEqual(expected);
    expect(parseCemRequest(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(utf8, 'utf8')]))).toEqual(expected);
    expect(parseCemRequest(`\uFEFF${utf8}`)).toEqual(expected);
    const latin1 = Buffer.from(utf8.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'), 'latin1');
    expect(latin1.includes(0xfc)).toBe(true);
    expect(parseCemRequest(latin1)).toEqual(expected);
    const ascii = Buffer.from(request().replace('encoding="UTF-8"', "encoding='US-ASCII'"), 'latin1');
    expect(parseCemRequest(ascii)).toEqual(parseCemRequest(request()));
  });

  it('reads UTF-16 with a byte order mark, little- and big-endian, with or without a UTF-16 declaration (XML 1.0 §4.3.3)', () => {
    const utf8 = request({ issuer: 'CN=Müller AG 日本' });
    const expected = parseCemRequest(utf8);
    const le = (text: string): Buffer => Buffer.from(`\uFEFF${text}`, 'utf16le');
    const be = (text: string): Buffer => le(text).swap16();
    for (const text of [utf8.replace('encoding="UTF-8"', 'encoding="UTF-16"'), utf8.replace(' encoding="UTF-8"', '')]) {
      expect(parseCemRequest(le(text))).toEqual(expected);
      expect(parseCemRequest(be(text))).toEqual(expected);
      expect(detectCemDocument(be(text))).toBe('request');
    }
    expect(parseCemRequest(le(utf8.replace('encoding="UTF-8"', 'encoding="utf-16le"')))).toEqual(expected);
  });

  it('tells requests from responses with parseCemDocument', () => {
    const doc = parseCemDocument(draftExample('A.3-response.repaired.xml'));
    expect(doc.kind).toBe('response');
    expect(isDeeplyFrozen(doc)).toBe(true);
    expect(detectCemDocument(request())).toBe('request');
  });
});
