import { describe, expect, it } from 'vitest';
import { detectCemDocument, parseCemDocument } from '../../src/messages/document-xml.js';
import { parseCemRequest } from '../../src/messages/request-xml.js';
import { parseCemResponse } from '../../src/messages/response-xml.js';
import { codeOf, draftExample, validateCemXsd } from '../helpers/xsd.js';

const CEM = 'urn:ietf:params:xml:ns:ediintcertificateexchange';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const PARTNER = '<TradingPartnerInfo><Name qualifier="AS2">ACME</Name><MessageOriginated>2025-01-31T12:00:00+01:00</MessageOriginated></TradingPartnerInfo>';
const IDENTIFIER = '<CertificateIdentifier><ds:X509IssuerName>CN=ACME CA</ds:X509IssuerName><ds:X509SerialNumber>4660</ds:X509SerialNumber></CertificateIdentifier>';
const END_ENTITY = `<EndEntity>${IDENTIFIER}<CertificateContentID>c1@acme.example</CertificateContentID></EndEntity>`;
const TRUST_REQUEST = `<TrustRequest><CertUsage>digitalSignature</CertUsage><ResponseURL>https://acme.example/as2</ResponseURL>${END_ENTITY}</TrustRequest>`;
const REFERENCE = '<CertificateReference><ds:X509IssuerName>CN=ACME CA</ds:X509IssuerName><ds:X509SerialNumber>4660</ds:X509SerialNumber></CertificateReference>';
const TRUST_RESPONSE = `<TrustResponse><CertStatus>Accepted</CertStatus>${REFERENCE}</TrustResponse>`;

function req(body: string, attributes = 'requestId="r-1"'): string {
  return `<EDIINTCertificateExchangeRequest xmlns="${CEM}" xmlns:ds="${DS}" ${attributes}>${body}</EDIINTCertificateExchangeRequest>`;
}

function res(body: string): string {
  return `<EDIINTCertificateExchangeResponse xmlns="${CEM}" xmlns:ds="${DS}" requestId="r-1">${body}</EDIINTCertificateExchangeResponse>`;
}

describe('the baseline documents of these tests', () => {
  it('are valid and parse', () => {
    expect(validateCemXsd([req(PARTNER + TRUST_REQUEST), res(PARTNER + TRUST_RESPONSE)])).toEqual([[], []]);
    expect(parseCemRequest(req(PARTNER + TRUST_REQUEST)).trustRequests).toHaveLength(1);
    expect(parseCemResponse(res(PARTNER + TRUST_RESPONSE)).trustResponses).toHaveLength(1);
  });
});

describe('unsafe XML', () => {
  const laughs = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE lolz [',
    ' <!ENTITY lol "lol">',
    ...Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
    ']>',
    `<EDIINTCertificateExchangeRequest xmlns="${CEM}">&lol9;</EDIINTCertificateExchangeRequest>`,
  ].join('\n');

  it('refuses a billion-laughs document with CEM_XML_DOCTYPE, without expanding anything', () => {
    const started = process.hrtime.bigint();
    expect(codeOf(() => parseCemRequest(laughs))).toBe('CEM_XML_DOCTYPE');
    expect(codeOf(() => parseCemDocument(Buffer.from(laughs)))).toBe('CEM_XML_DOCTYPE');
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(500);
  });

  it.each([
    ['an external entity', `<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${req(`${PARTNER}${TRUST_REQUEST}`).replace('ACME<', '&xxe;<')}`],
    ['a parameter entity', `<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1/evil.dtd"> %p;]>${req(PARTNER + TRUST_REQUEST)}`],
    ['an external DTD', `<?xml version="1.0"?><!DOCTYPE EDIINTCertificateExchangeRequest SYSTEM "cem.dtd">${req(PARTNER + TRUST_REQUEST)}`],
    ['a lower-case doctype', `<!doctype r>${req(PARTNER + TRUST_REQUEST)}`],
    ['a doctype after the root', `${req(PARTNER + TRUST_REQUEST)}<!DOCTYPE r>`],
    ['an ENTITY declaration without DOCTYPE', `${req(PARTNER + TRUST_REQUEST)}<!ENTITY x "y">`],
    ['a doctype inside a comment', `<!-- <!DOCTYPE r> -->${req(PARTNER + TRUST_REQUEST)}`],
  ])('refuses %s with CEM_XML_DOCTYPE', (_label, xml) => {
    expect(codeOf(() => parseCemDocument(xml))).toBe('CEM_XML_DOCTYPE');
    expect(codeOf(() => detectCemDocument(xml))).toBe('CEM_XML_DOCTYPE');
  });

  it('refuses a DOCTYPE before looking at the bytes encoding', () => {
    const bytes = Buffer.concat([Buffer.from('<!DOCTYPE r>'), Buffer.from([0xff, 0xfe, 0xc3])]);
    expect(codeOf(() => parseCemDocument(bytes))).toBe('CEM_XML_DOCTYPE');
  });

  it('refuses a DOCTYPE in UTF-16 (looked for after decoding), in either byte order', () => {
    const le = Buffer.from(`\uFEFF${laughs}`, 'utf16le');
    expect(codeOf(() => parseCemDocument(le))).toBe('CEM_XML_DOCTYPE');
    expect(codeOf(() => parseCemDocument(Buffer.from(le).swap16()))).toBe('CEM_XML_DOCTYPE');
  });

  it('refuses a reference to an undeclared entity as malformed (nothing is expanded)', () => {
    const xml = req(PARTNER.replace('ACME', '&xxe;') + TRUST_REQUEST);
    expect(codeOf(() => parseCemRequest(xml))).toBe('CEM_XML_MALFORMED');
  });
});

describe('size and structure bounds', () => {
  const valid = req(PARTNER + TRUST_REQUEST);

  it('refuses input over 1 MiB by default with CEM_XML_TOO_LARGE, as string or bytes', () => {
    const padded = `${valid}<!--${'x'.repeat(1024 * 1024)}-->`;
    expect(codeOf(() => parseCemRequest(padded))).toBe('CEM_XML_TOO_LARGE');
    expect(codeOf(() => parseCemRequest(Buffer.from(padded)))).toBe('CEM_XML_TOO_LARGE');
  });

  it('counts a string in UTF-8 bytes', () => {
    const comment = `<!--${'é'.repeat(600 * 1024)}-->`; // 600 Ki characters, 1.2 MiB in UTF-8
    expect(codeOf(() => parseCemRequest(`${valid}${comment}`))).toBe('CEM_XML_TOO_LARGE');
  });

  it('honours a configured maxBytes', () => {
    const size = Buffer.byteLength(valid);
    expect(parseCemRequest(valid, { maxBytes: size }).trustRequests).toHaveLength(1);
    expect(codeOf(() => parseCemRequest(valid, { maxBytes: size - 1 }))).toBe('CEM_XML_TOO_LARGE');
    expect(codeOf(() => parseCemRequest(valid, { maxBytes: 0 }))).toBe('CEM_ARGUMENT');
  });

  it('counts UTF-16 input in its bytes, before decoding', () => {
    const utf16 = Buffer.from(`\uFEFF${valid}`, 'utf16le');
    expect(parseCemRequest(utf16, { maxBytes: utf16.byteLength }).trustRequests).toHaveLength(1);
    expect(codeOf(() => parseCemRequest(utf16, { maxBytes: utf16.byteLength - 1 }))).toBe('CEM_XML_TOO_LARGE');
  });

  it('refuses deeply nested input with CEM_XML_TOO_LARGE, without overflowing the stack', () => {
    const depth = 100_000;
    const nested = `<Extensions>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</Extensions>`;
    expect(codeOf(() => parseCemRequest(req(PARTNER + TRUST_REQUEST + nested)))).toBe('CEM_XML_TOO_LARGE');
    expect(codeOf(() => parseCemRequest(req(PARTNER + TRUST_REQUEST + '<a>'.repeat(depth))))).toBe('CEM_XML_TOO_LARGE');
  });

  it('accepts moderate nesting in Extensions', () => {
    const nested = `<Extensions>${'<a>'.repeat(40)}${'</a>'.repeat(40)}</Extensions>`;
    expect(parseCemRequest(req(PARTNER + TRUST_REQUEST + nested)).trustRequests).toHaveLength(1);
  });

  it('refuses too many elements or attributes with CEM_XML_TOO_LARGE', () => {
    const many = `<Extensions>${'<a/>'.repeat(30_000)}</Extensions>`;
    expect(codeOf(() => parseCemRequest(req(PARTNER + TRUST_REQUEST + many)))).toBe('CEM_XML_TOO_LARGE');
    const attributes = Array.from({ length: 100 }, (_, i) => `a${i}="1"`).join(' ');
    expect(codeOf(() => parseCemRequest(req(PARTNER + TRUST_REQUEST, attributes)))).toBe('CEM_XML_TOO_LARGE');
  });

  it('stays fast with many namespace declarations in deep scopes', () => {
    const level = (i: number): string =>
      `<n${i} ${Array.from({ length: 50 }, (_, j) => `xmlns:p${i}x${j}="urn:example:${i}:${j}"`).join(' ')}>`;
    const open = Array.from({ length: 50 }, (_, i) => level(i)).join('');
    const close = Array.from({ length: 50 }, (_, i) => `</n${49 - i}>`).join('');
    const siblings = Array.from({ length: 15_000 }, (_, i) => `<p0x0:e xmlns:q="urn:q${i % 10}"/>`).join('');
    const xml = req(`${PARTNER}${TRUST_REQUEST}<Extensions>${open}${siblings}${close}</Extensions>`);
    expect(Buffer.byteLength(xml)).toBeLessThan(1024 * 1024);
    const started = process.hrtime.bigint();
    expect(parseCemRequest(xml).trustRequests).toHaveLength(1);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(3000);
  });

  it('refuses every truncation of the draft example with CEM_XML_MALFORMED', () => {
    const text = draftExample('A.2-request.repaired.xml');
    const end = text.lastIndexOf('>');
    for (let cut = 0; cut < end; cut += 7) {
      expect(codeOf(() => parseCemRequest(text.slice(0, cut))), `cut at ${cut}`).toBe('CEM_XML_MALFORMED');
    }
  });
});

describe('malformed XML', () => {
  const ok = req(PARTNER + TRUST_REQUEST);
  it.each([
    ['an empty document', ''],
    ['text only', 'hello'],
    ['a mismatched end tag', ok.replace('</TrustRequest>', '</TrustRequests>')],
    ['an unquoted attribute', ok.replace('requestId="r-1"', 'requestId=r-1')],
    ['a duplicate attribute', ok.replace('requestId="r-1"', 'requestId="r-1" requestId="r-2"')],
    ['a duplicate expanded attribute', ok.replace('requestId="r-1"', 'xmlns:a="urn:x" xmlns:b="urn:x" a:z="1" b:z="2"')],
    ['an unbound prefix', ok.replace('<TrustRequest>', '<cem:TrustRequest>').replace('</TrustRequest>', '</cem:TrustRequest>')],
    ['an undeclared prefix', ok.replace('<ResponseURL>', '<p:ResponseURL>').replace('</ResponseURL>', '</p:ResponseURL>')],
    ['an empty prefix declaration', ok.replace('requestId="r-1"', 'xmlns:p=""')],
    ['< in an attribute', ok.replace('requestId="r-1"', 'requestId="a<b"')],
    ['an undefined entity (a well-formed reference, never a bare &)', ok.replace('ACME<', 'A&M;<')],
    ['a malformed character reference', ok.replace('ACME<', 'A&#xZZ;<')],
    ['a prefix that is not an NCName', ok.replace('requestId="r-1"', 'xmlns:1="urn:x"')],
    ['a prefixed name whose prefix is not an NCName', ok.replace('requestId="r-1"', 'xmlns:1="urn:x" 1:a="z"')],
    ['a processing instruction target with a colon', `<?a:b data?>${ok}`],
    [']]> in text', ok.replace('ACME<', 'A]]>M<')],
    ['a literal control character', ok.replace('ACME<', 'AC\u0001ME<')],
    ['a reference to U+0000', ok.replace('ACME<', 'AC&#0;ME<')],
    ['a reference to a surrogate', ok.replace('ACME<', 'AC&#xD800;ME<')],
    ['text after the root', `${ok}trailing`],
    ['two roots', `${ok}${ok}`],
    ['an XML declaration not at the start', ` <?xml version="1.0"?>${ok}`],
    ['a bad XML declaration', `<?xml version="2.0"?>${ok}`],
    ['"--" in a comment', `<!-- a -- b -->${ok}`],
    ['an unterminated CDATA section', ok.replace('ACME<', '<![CDATA[ACME<')],
    ['a tag without a name', ok.replace('<TrustRequest>', '< TrustRequest>')],
    ['a qualified name with two colons', ok.replace('<TrustRequest>', '<a:b:TrustRequest>')],
  ])('refuses %s with CEM_XML_MALFORMED', (_label, xml) => {
    expect(codeOf(() => parseCemDocument(xml))).toBe('CEM_XML_MALFORMED');
  });

  it.each([
    ['invalid UTF-8', Buffer.concat([Buffer.from(ok.slice(0, 200)), Buffer.from([0xc3, 0x28]), Buffer.from(ok.slice(200))])],
    ['an unknown encoding', Buffer.from(`<?xml version="1.0" encoding="EBCDIC-US"?>${ok}`)],
    ['UTF-16 without a byte order mark', Buffer.from(ok, 'utf16le')],
    ['big-endian UTF-16 without a byte order mark', Buffer.from(ok, 'utf16le').swap16()],
    ['UTF-32 (little-endian, with its byte order mark)', Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), ...[...ok].map((c) => Buffer.from([c.charCodeAt(0), 0, 0, 0]))])],
    ['a UTF-16 byte order mark contradicting the declaration', Buffer.from(`\uFEFF<?xml version="1.0" encoding="UTF-8"?>${ok}`, 'utf16le')],
    ['a little-endian byte order mark with a big-endian declaration', Buffer.from(`\uFEFF<?xml version="1.0" encoding="UTF-16BE"?>${ok}`, 'utf16le')],
    ['an unpaired surrogate in UTF-16', Buffer.concat([Buffer.from(`\uFEFF${ok.slice(0, 300)}`, 'utf16le'), Buffer.from([0x00, 0xd8]), Buffer.from(ok.slice(300), 'utf16le')])],
    ['non-ASCII bytes under US-ASCII', Buffer.from(`<?xml version="1.0" encoding="US-ASCII"?>${ok.replace('ACME', 'ACMÉ')}`, 'latin1')],
    ['a UTF-8 BOM with a Latin-1 declaration', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>${ok}`)])],
  ])('refuses bytes with %s with CEM_XML_MALFORMED', (_label, bytes) => {
    expect(codeOf(() => parseCemDocument(bytes))).toBe('CEM_XML_MALFORMED');
  });
});

describe('wrong document', () => {
  it.each([
    ['an unknown root', `<Invoice xmlns="${CEM}"/>`],
    ['a lower-case root name', `<ediintcertificateexchangerequest xmlns="${CEM}"/>`],
  ])('refuses %s with CEM_XML_ROOT', (_label, xml) => {
    expect(codeOf(() => parseCemDocument(xml))).toBe('CEM_XML_ROOT');
  });

  it('refuses a Response given to parseCemRequest and the reverse with CEM_XML_ROOT', () => {
    expect(codeOf(() => parseCemRequest(res(PARTNER + TRUST_RESPONSE)))).toBe('CEM_XML_ROOT');
    expect(codeOf(() => parseCemResponse(req(PARTNER + TRUST_REQUEST)))).toBe('CEM_XML_ROOT');
  });

  it.each([
    ['no namespace', `<EDIINTCertificateExchangeRequest requestId="r-1">${PARTNER}</EDIINTCertificateExchangeRequest>`],
    ['another namespace', `<EDIINTCertificateExchangeRequest xmlns="urn:example:cem">${PARTNER}</EDIINTCertificateExchangeRequest>`],
    ['the xmldsig namespace', `<ds:EDIINTCertificateExchangeResponse xmlns:ds="${DS}"/>`],
  ])('refuses the right root name in %s with CEM_XML_NAMESPACE', (_label, xml) => {
    expect(codeOf(() => parseCemDocument(xml))).toBe('CEM_XML_NAMESPACE');
  });
});

const withTrust = (trust: string): string => req(PARTNER + trust);
const withEndEntity = (endEntity: string): string =>
  withTrust(`<TrustRequest><CertUsage>digitalSignature</CertUsage><ResponseURL>https://acme.example/as2</ResponseURL>${endEntity}</TrustRequest>`);
const withIdentifier = (identifier: string): string =>
  withEndEntity(`<EndEntity>${identifier}<CertificateContentID>c1@acme.example</CertificateContentID></EndEntity>`);
const withResponse = (trust: string): string => res(PARTNER + trust);

/** A TrustRequest for the certificate `issuer` + `serial` in the part `contentId`. */
const trustFor = (issuer: string, serial: string, contentId: string): string =>
  TRUST_REQUEST.replace('CN=ACME CA', issuer).replace('4660', serial).replace('c1@acme.example', contentId);

/** Documents the schema refuses too: the XSD validator must agree. */
const SCHEMA_INVALID: [string, string][] = [
  ['no TradingPartnerInfo', req(TRUST_REQUEST)],
  ['TradingPartnerInfo after TrustRequest', req(TRUST_REQUEST + PARTNER)],
  ['two TradingPartnerInfo', req(PARTNER + PARTNER + TRUST_REQUEST)],
  ['no Name', req(PARTNER.replace(/<Name.*<\/Name>/, '') + TRUST_REQUEST)],
  ['no MessageOriginated', req(PARTNER.replace(/<MessageOriginated>.*<\/MessageOriginated>/, '') + TRUST_REQUEST)],
  ['MessageOriginated before Name', req('<TradingPartnerInfo><MessageOriginated>2025-01-31T12:00:00+01:00</MessageOriginated><Name>ACME</Name></TradingPartnerInfo>' + TRUST_REQUEST)],
  ['an element inside Name', req(PARTNER.replace('ACME', '<b>ACME</b>') + TRUST_REQUEST)],
  ['no ResponseURL', withTrust(`<TrustRequest><CertUsage>digitalSignature</CertUsage>${END_ENTITY}</TrustRequest>`)],
  ['no EndEntity', withTrust('<TrustRequest><CertUsage>digitalSignature</CertUsage><ResponseURL>https://acme.example/as2</ResponseURL></TrustRequest>')],
  ['no CertUsage', withTrust(`<TrustRequest><ResponseURL>https://acme.example/as2</ResponseURL>${END_ENTITY}</TrustRequest>`)],
  ['RespondByDate before CertUsage', withTrust(`<TrustRequest><RespondByDate>2025-03-01T00:00:00Z</RespondByDate><CertUsage>digitalSignature</CertUsage><ResponseURL>https://acme.example/as2</ResponseURL>${END_ENTITY}</TrustRequest>`)],
  ['ResponseURL before RespondByDate', withTrust(`<TrustRequest><CertUsage>digitalSignature</CertUsage><ResponseURL>https://acme.example/as2</ResponseURL><RespondByDate>2025-03-01T00:00:00Z</RespondByDate>${END_ENTITY}</TrustRequest>`)],
  ['two RespondByDate', withTrust(`<TrustRequest><CertUsage>digitalSignature</CertUsage><RespondByDate>2025-03-01T00:00:00Z</RespondByDate><RespondByDate>2025-03-01T00:00:00Z</RespondByDate><ResponseURL>https://acme.example/as2</ResponseURL>${END_ENTITY}</TrustRequest>`)],
  ['no CertificateIdentifier', withEndEntity('<EndEntity><CertificateContentID>c1@acme.example</CertificateContentID></EndEntity>')],
  ['no CertificateContentID', withEndEntity(`<EndEntity>${IDENTIFIER}</EndEntity>`)],
  ['no X509IssuerName', withIdentifier('<CertificateIdentifier><ds:X509SerialNumber>4660</ds:X509SerialNumber></CertificateIdentifier>')],
  ['no X509SerialNumber', withIdentifier('<CertificateIdentifier><ds:X509IssuerName>CN=A</ds:X509IssuerName></CertificateIdentifier>')],
  ['X509IssuerName in the CEM namespace', withIdentifier('<CertificateIdentifier><X509IssuerName>CN=A</X509IssuerName><ds:X509SerialNumber>4660</ds:X509SerialNumber></CertificateIdentifier>')],
  ['X509SerialNumber in no namespace', withIdentifier(`<CertificateIdentifier><ds:X509IssuerName>CN=A</ds:X509IssuerName><X509SerialNumber xmlns="">4660</X509SerialNumber></CertificateIdentifier>`)],
  ['serial before issuer', withIdentifier('<CertificateIdentifier><ds:X509SerialNumber>4660</ds:X509SerialNumber><ds:X509IssuerName>CN=A</ds:X509IssuerName></CertificateIdentifier>')],
  ['an extra element in CertificateIdentifier', withIdentifier(`${IDENTIFIER.replace('</CertificateIdentifier>', '<ds:X509SKI>AA==</ds:X509SKI></CertificateIdentifier>')}`)],
  ['stray text in TrustRequest', withTrust(TRUST_REQUEST.replace('<ResponseURL>', 'oops<ResponseURL>'))],
  ['an unknown element at the root', req(PARTNER + TRUST_REQUEST + '<Other/>')],
  ['two Extensions', req(PARTNER + TRUST_REQUEST + '<Extensions/><Extensions/>')],
  ['Extensions before TrustRequest', req(PARTNER + '<Extensions/>' + TRUST_REQUEST)],
  ['a 256-character requestId', req(PARTNER + TRUST_REQUEST, `requestId="${'x'.repeat(256)}"`)],
  ['an empty requestId', req(PARTNER + TRUST_REQUEST, 'requestId=""')],
  ['no CertStatus', withResponse(`<TrustResponse>${REFERENCE}</TrustResponse>`)],
  ['no CertificateReference', withResponse('<TrustResponse><CertStatus>Accepted</CertStatus></TrustResponse>')],
  ['ReasonForRejection before CertStatus', withResponse(`<TrustResponse><ReasonForRejection>x</ReasonForRejection><CertStatus>Rejected</CertStatus>${REFERENCE}</TrustResponse>`)],
  ['a TrustRequest in a Response', withResponse(TRUST_RESPONSE + TRUST_REQUEST)],
];

/**
 * Rules the schema cannot express (draft-14 §2.3, §2.5, §4.2 notes), empty values, and one case
 * the schema forbids but the xmlschema 1.10 validator lets through (an unqualified local element).
 */
const BEYOND_SCHEMA: [string, string][] = [
  ['a second TrustRequest in no namespace', req(PARTNER + TRUST_REQUEST + TRUST_REQUEST.replace('<TrustRequest>', '<TrustRequest xmlns="">'))],
  ['two EndEntity in one TrustRequest', withTrust(TRUST_REQUEST.replace('</TrustRequest>', `${END_ENTITY}</TrustRequest>`))],
  ['a second CertUsage after EndEntity', withTrust(TRUST_REQUEST.replace('</TrustRequest>', '<CertUsage>tlsServer</CertUsage></TrustRequest>'))],
  ['a second CertificateContentID', withEndEntity(`<EndEntity>${IDENTIFIER}<CertificateContentID>c1@a</CertificateContentID><CertificateContentID>c2@a</CertificateContentID></EndEntity>`)],
  ['ReasonForRejection after CertificateReference', withResponse(`<TrustResponse><CertStatus>Rejected</CertStatus>${REFERENCE}<ReasonForRejection>x</ReasonForRejection></TrustResponse>`)],
  ['one certificate in two TrustRequests', req(PARTNER + TRUST_REQUEST + TRUST_REQUEST.replace('c1@acme.example', 'c2@acme.example'))],
  ['one Content-ID in two TrustRequests', req(PARTNER + TRUST_REQUEST + TRUST_REQUEST.replace('4660', '4661'))],
  ['two TrustResponses for one certificate', withResponse(TRUST_RESPONSE + TRUST_RESPONSE.replace('Accepted', 'Rejected'))],
  ['one certificate in two TrustRequests, issuer reordered and respelled', req(PARTNER + trustFor('O=Test,CN=pnew', '4660', 'c1@x') + trustFor('CN=pnew, o=test', '4660', 'c2@x'))],
  ['one certificate in two TrustRequests, serial with leading zeros', req(PARTNER + trustFor('CN=ACME CA', '4660', 'c1@x') + trustFor('CN=ACME CA', '0004660', 'c2@x'))],
  ['one certificate in two TrustRequests, serial with a plus sign', req(PARTNER + trustFor('CN=ACME CA', '+4660', 'c1@x') + trustFor('CN=ACME CA', '4660', 'c2@x'))],
  ['one Content-ID in two TrustRequests, in another case', req(PARTNER + trustFor('CN=ACME CA', '4660', 'C1@x') + trustFor('CN=ACME CA', '4661', 'c1@X'))],
  ['one certificate and Content-ID in two TrustRequests, each respelled', req(PARTNER + trustFor('O=Test,CN=pnew', '7', 'C1@x') + trustFor('CN=pnew, O=Test', '7', 'c1@x'))],
  ['two TrustResponses for one certificate, respelled', withResponse(TRUST_RESPONSE + TRUST_RESPONSE.replace('CN=ACME CA', 'cn=acme ca').replace('4660', '04660'))],
  ['an empty Name', req(PARTNER.replace('ACME', ' ') + TRUST_REQUEST)],
  ['an empty ResponseURL', withTrust(TRUST_REQUEST.replace('https://acme.example/as2', ''))],
  ['an empty issuer', withIdentifier(IDENTIFIER.replace('CN=ACME CA', ''))],
  ['an empty Content-ID', withTrust(TRUST_REQUEST.replace('c1@acme.example', ' '))],
  ['a Content-ID that is only brackets', withTrust(TRUST_REQUEST.replace('c1@acme.example', '&lt;&gt;'))],
];

describe('schema violations', () => {
  it('are refused by the XSD validator too (these test documents really are invalid)', () => {
    const results = validateCemXsd(SCHEMA_INVALID.map(([, xml]) => xml));
    const accepted = SCHEMA_INVALID.filter((_, i) => (results[i] ?? []).length === 0).map(([label]) => label);
    expect(accepted).toEqual([]);
  });

  it.each(SCHEMA_INVALID)('refuses %s with CEM_XML_INVALID', (_label, xml) => {
    expect(codeOf(() => parseCemDocument(xml))).toBe('CEM_XML_INVALID');
  });

  it.each(BEYOND_SCHEMA)('refuses %s with CEM_XML_INVALID', (_label, xml) => {
    expect(codeOf(() => parseCemDocument(xml))).toBe('CEM_XML_INVALID');
  });
});

describe('one certificate per Request, compared by meaning', () => {
  it('accepts two certificates of one issuer (serials differ by value) and two issuers with one serial', () => {
    const twoSerials = req(PARTNER + trustFor('O=Test,CN=pnew', '0100', 'c1@x') + trustFor('CN=pnew, O=Test', '10', 'c2@x'));
    expect(parseCemRequest(twoSerials).trustRequests.map((t) => t.certificate.serial)).toEqual(['0100', '10']);
    const twoIssuers = req(PARTNER + trustFor('CN=pnew,O=Test', '7', 'c1@x') + trustFor('CN=pnew,O=Other', '7', 'c2@x'));
    expect(parseCemRequest(twoIssuers).trustRequests).toHaveLength(2);
  });

  it('keeps both issuer strings and serials exactly as written', () => {
    const xml = req(PARTNER + trustFor('O=Test,CN=pnew', '+0042', 'c1@x') + trustFor('CN=pnew, O=Test', '43', 'c2@x'));
    expect(parseCemRequest(xml).trustRequests.map((t) => t.certificate)).toEqual([
      { issuer: 'O=Test,CN=pnew', serial: '+0042' },
      { issuer: 'CN=pnew, O=Test', serial: '43' },
    ]);
  });
});

describe('values outside their types', () => {
  it.each(['KeyEncipherment', 'TLSServer', 'tlsserver', 'dataEncipherment', ''])('refuses CertUsage %j with CEM_XML_USAGE', (usage) => {
    const xml = withTrust(TRUST_REQUEST.replace('digitalSignature', usage));
    expect(codeOf(() => parseCemRequest(xml))).toBe('CEM_XML_USAGE');
    expect(validateCemXsd([xml])[0]?.length).toBeGreaterThan(0);
  });

  it.each(['accepted', 'ACCEPTED', 'Pending', ''])('refuses CertStatus %j with CEM_XML_STATUS', (status) => {
    expect(codeOf(() => parseCemResponse(withResponse(TRUST_RESPONSE.replace('Accepted', status))))).toBe('CEM_XML_STATUS');
  });

  it.each(['0x1F', '1F', '--5', '+-5', '5-', '', ' ', '1e5', '1.0', '12 34', '١٢٣'])('refuses X509SerialNumber %j with CEM_XML_SERIAL', (serial) => {
    expect(codeOf(() => parseCemRequest(withIdentifier(IDENTIFIER.replace('4660', serial))))).toBe('CEM_XML_SERIAL');
    expect(codeOf(() => parseCemResponse(withResponse(TRUST_RESPONSE.replace('4660', serial))))).toBe('CEM_XML_SERIAL');
  });

  it.each(['2025-02-30T00:00:00Z', '2025-01-31', 'yesterday', '2025-01-31T12:00:00+15:00', ''])('refuses the date %j with CEM_XML_DATE', (date) => {
    expect(codeOf(() => parseCemRequest(req(PARTNER.replace('2025-01-31T12:00:00+01:00', date) + TRUST_REQUEST)))).toBe('CEM_XML_DATE');
    const respondBy = TRUST_REQUEST.replace('<ResponseURL>', `<RespondByDate>${date}</RespondByDate><ResponseURL>`);
    expect(codeOf(() => parseCemRequest(withTrust(respondBy)))).toBe('CEM_XML_DATE');
  });

  it('refuses a Request without TrustRequest with CEM_XML_NO_TRUST_REQUEST', () => {
    expect(codeOf(() => parseCemRequest(req(PARTNER)))).toBe('CEM_XML_NO_TRUST_REQUEST');
    expect(codeOf(() => parseCemRequest(req(`${PARTNER}<Extensions/>`)))).toBe('CEM_XML_NO_TRUST_REQUEST');
  });

  it('does not take an unqualified TrustRequest for one (elementFormDefault="qualified")', () => {
    const unqualified = req(PARTNER + TRUST_REQUEST.replace('<TrustRequest>', '<TrustRequest xmlns="">'));
    expect(codeOf(() => parseCemRequest(unqualified))).toBe('CEM_XML_NO_TRUST_REQUEST');
  });

  it('refuses a Response without TrustResponse with CEM_XML_NO_TRUST_RESPONSE', () => {
    expect(codeOf(() => parseCemResponse(res(PARTNER)))).toBe('CEM_XML_NO_TRUST_RESPONSE');
    expect(codeOf(() => parseCemDocument(res(`${PARTNER}<Extensions/>`)))).toBe('CEM_XML_NO_TRUST_RESPONSE');
  });
});
