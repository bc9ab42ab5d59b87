import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CERT_USAGES, type CertUsage } from '../../src/types.js';
import { cemDateTime } from '../../src/messages/datetime.js';
import type { CemRequest, CemResponse, CemTrustRequest } from '../../src/messages/model.js';
import { parseCemRequest, serializeCemRequest } from '../../src/messages/request-xml.js';
import { parseCemResponse, serializeCemResponse } from '../../src/messages/response-xml.js';
import { codeOf, textValues, validateCemXsd } from '../helpers/xsd.js';

const SPEC_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;
const NOW = new Date('2025-06-01T08:15:30.250Z');

function sampleRequest(overrides: Partial<CemRequest> = {}, trust: Partial<CemTrustRequest> = {}): CemRequest {
  return {
    requestId: 'req-1',
    sender: { name: 'ACME', qualifier: 'AS2' },
    originated: cemDateTime(NOW, { offsetMinutes: -300 }),
    trustRequests: [
      {
        usages: ['keyEncipherment', 'digitalSignature'],
        respondBy: cemDateTime(new Date('2025-07-01T00:00:00Z'), { timeZone: 'Asia/Kolkata' }),
        responseUrl: 'https://as2.acme.example/as2',
        certificate: { issuer: 'CN=ACME CA,O=ACME,C=US', serial: '123456789012345678901234567890' },
        contentId: 'cert-1@acme.example',
        ...trust,
      },
    ],
    ...overrides,
  };
}

function sampleResponse(overrides: Partial<CemResponse> = {}): CemResponse {
  return {
    requestId: 'req-1',
    sender: { name: 'PARTNER', qualifier: 'AS2' },
    originated: cemDateTime(NOW),
    trustResponses: [
      { status: 'Rejected', reason: 'Key usage does not allow encryption', certificate: { issuer: 'CN=ACME CA', serial: '1' } },
    ],
    ...overrides,
  };
}

/** Names, ids, DNs, reasons: XML specials, non-ASCII, emoji, inner whitespace; never padded. */
const text = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom('&', '<', '>', '"', "'", ']]>', '&amp;', '\\,', 'é', 'Ü', '日本', '😀', '\u00a0', ' ', '\t', '\n', '\r', '\u0085'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
    ),
    minLength: 1,
    maxLength: 12,
  })
  .map((s) => s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, ''))
  .filter((s) => s !== '' && !/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(s));

const serial = fc.bigInt({ min: 0n, max: (1n << 160n) - 1n }).map(String);
const offset = fc.oneof(fc.integer({ min: -720, max: 840 }), fc.constantFrom(-570, -210, 330, 345, 525, 765, 840));
const date = fc
  .tuple(fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }), offset)
  .map(([instant, offsetMinutes]) => cemDateTime(instant, { offsetMinutes }));
const certificate = fc.record({ issuer: text.map((t) => `CN=${t},O=Org`), serial });
const partner = fc.record({ name: text, qualifier: fc.option(text, { nil: null }) });

const trustRequest = fc.record({
  usages: fc.uniqueArray(fc.constantFrom<CertUsage>(...CERT_USAGES), { minLength: 1, maxLength: 4 }),
  respondBy: fc.option(date, { nil: null }),
  responseUrl: text.map((t) => `https://as2.example/in?x=${t}`),
  certificate,
  contentId: fc.stringMatching(/^[A-Za-z0-9._%+-]{1,16}@[a-z0-9.-]{1,16}$/),
});

const request = fc.record({
  requestId: text,
  sender: partner,
  originated: date,
  trustRequests: fc
    .uniqueArray(trustRequest, { minLength: 1, maxLength: 3, selector: (t) => `${t.certificate.issuer}\0${t.certificate.serial}` })
    .map((list) => list.map((t, i) => ({ ...t, contentId: `${i}.${t.contentId}` }))),
});

const response = fc.record({
  requestId: text,
  sender: partner,
  originated: date,
  trustResponses: fc.uniqueArray(
    fc.record({ status: fc.constantFrom('Accepted' as const, 'Rejected' as const), reason: fc.option(text, { nil: null }), certificate }),
    { minLength: 1, maxLength: 3, selector: (t) => `${t.certificate.issuer}\0${t.certificate.serial}` },
  ),
});

/** The writer's promises, checked on its output with regexes. */
function expectSpecExactOutput(xml: string): void {
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
  for (const { name, text: value } of textValues(xml)) {
    expect(value).not.toMatch(/^[ \t\r\n]|[ \t\r\n]$/);
    if (name === 'MessageOriginated' || name === 'RespondByDate') expect(value).toMatch(SPEC_DATE);
  }
  expect(xml).not.toMatch(/<(MessageOriginated|RespondByDate)>[^<]*(Z|\.\d+[+-])/);
}

/** Puts the expected qualifier (null is written as AS2) into a generated value. */
function withWrittenQualifier<T extends { sender: { name: string; qualifier: string | null } }>(value: T): T {
  return { ...value, sender: { ...value.sender, qualifier: value.sender.qualifier ?? 'AS2' } };
}

describe('serializeCemRequest', () => {
  it('writes the spec-exact layout: declaration, default namespace, ds prefix, schema order', () => {
    const xml = serializeCemRequest(sampleRequest());
    expect(xml).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<EDIINTCertificateExchangeRequest xmlns="urn:ietf:params:xml:ns:ediintcertificateexchange" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" requestId="req-1">',
        '  <TradingPartnerInfo>',
        '    <Name qualifier="AS2">ACME</Name>',
        '    <MessageOriginated>2025-06-01T03:15:30-05:00</MessageOriginated>',
        '  </TradingPartnerInfo>',
        '  <TrustRequest>',
        '    <CertUsage>keyEncipherment</CertUsage>',
        '    <CertUsage>digitalSignature</CertUsage>',
        '    <RespondByDate>2025-07-01T05:30:00+05:30</RespondByDate>',
        '    <ResponseURL>https://as2.acme.example/as2</ResponseURL>',
        '    <EndEntity>',
        '      <CertificateIdentifier>',
        '        <ds:X509IssuerName>CN=ACME CA,O=ACME,C=US</ds:X509IssuerName>',
        '        <ds:X509SerialNumber>123456789012345678901234567890</ds:X509SerialNumber>',
        '      </CertificateIdentifier>',
        '      <CertificateContentID>cert-1@acme.example</CertificateContentID>',
        '    </EndEntity>',
        '  </TrustRequest>',
        '</EDIINTCertificateExchangeRequest>',
        '',
      ].join('\n'),
    );
    expect(validateCemXsd([xml])).toEqual([[]]);
  });

  it('writes qualifier="AS2" when the qualifier is null, and omits an absent RespondByDate', () => {
    const xml = serializeCemRequest(sampleRequest({ sender: { name: 'ACME', qualifier: null } }, { respondBy: null }));
    expect(xml).toContain('<Name qualifier="AS2">ACME</Name>');
    expect(xml).not.toContain('RespondByDate');
    expect(validateCemXsd([xml])).toEqual([[]]);
  });

  it('re-formats dates from instant and offset: no Z, no fractions, a null offset as +00:00', () => {
    const originated = { lexical: '2025-01-01T10:00:00.75Z', instant: new Date('2025-01-01T10:00:00.750Z'), offsetMinutes: null };
    const respondBy = { lexical: '2025-02-01T10:00:00.5+05:45', instant: new Date('2025-02-01T04:15:00.500Z'), offsetMinutes: 345 };
    const xml = serializeCemRequest(sampleRequest({ originated }, { respondBy }));
    expect(xml).toContain('<MessageOriginated>2025-01-01T10:00:00+00:00</MessageOriginated>');
    expect(xml).toContain('<RespondByDate>2025-02-01T10:00:00+05:45</RespondByDate>');
  });

  it('escapes & < > " \' and keeps non-ASCII as UTF-8', () => {
    const xml = serializeCemRequest(
      sampleRequest({ requestId: `a"b'c<d>&é`, sender: { name: 'Ä&<>"\'😀', qualifier: 'AS2' } }, {
        certificate: { issuer: 'CN=Müller & Söhne <GmbH>,O="Q\'s"', serial: '0' },
        responseUrl: 'https://h.example/as2?a=1&b=2',
      }),
    );
    expect(xml).toContain('requestId="a&quot;b&apos;c&lt;d&gt;&amp;é"');
    expect(xml).toContain('<Name qualifier="AS2">Ä&amp;&lt;&gt;&quot;&apos;😀</Name>');
    expect(xml).toContain('<ds:X509IssuerName>CN=Müller &amp; Söhne &lt;GmbH&gt;,O=&quot;Q&apos;s&quot;</ds:X509IssuerName>');
    expect(xml).toContain('<ResponseURL>https://h.example/as2?a=1&amp;b=2</ResponseURL>');
    expect(validateCemXsd([xml])).toEqual([[]]);
  });

  it('writes a carriage return inside a value as a character reference so it survives parsing', () => {
    const request = sampleRequest({ sender: { name: 'A\r\nB\tC', qualifier: 'AS2' } });
    const xml = serializeCemRequest(request);
    expect(xml).toContain('<Name qualifier="AS2">A&#13;\nB\tC</Name>');
    expect(parseCemRequest(xml).sender.name).toBe('A\r\nB\tC');
  });

  it('writes XSD-valid documents that parse back to the same values (property)', () => {
    const documents: string[] = [];
    fc.assert(
      fc.property(request, (value) => {
        const xml = serializeCemRequest(value);
        expectSpecExactOutput(xml);
        expect(parseCemRequest(xml)).toEqual(withWrittenQualifier(value));
        documents.push(xml);
      }),
      { numRuns: 300 },
    );
    const errors = validateCemXsd(documents);
    expect(errors.filter((e) => e.length > 0)).toEqual([]);
    expect(errors).toHaveLength(300);
  });

  it.each<[string, () => CemRequest]>([
    ['a missing requestId', () => sampleRequest({ requestId: null })],
    ['an empty requestId', () => sampleRequest({ requestId: '' })],
    ['a 256-character requestId', () => sampleRequest({ requestId: 'x'.repeat(256) })],
    ['a padded requestId', () => sampleRequest({ requestId: ' req-1' })],
    ['an empty name', () => sampleRequest({ sender: { name: '', qualifier: 'AS2' } })],
    ['a name padded with a newline', () => sampleRequest({ sender: { name: 'ACME\n', qualifier: 'AS2' } })],
    ['an empty qualifier', () => sampleRequest({ sender: { name: 'ACME', qualifier: '' } })],
    ['a control character in a name', () => sampleRequest({ sender: { name: 'AC\u0001ME', qualifier: 'AS2' } })],
    ['a lone surrogate in an issuer', () => sampleRequest({}, { certificate: { issuer: 'CN=\uD800', serial: '1' } })],
    ['U+FFFE in a URL', () => sampleRequest({}, { responseUrl: 'https://x.example/\uFFFE' })],
    ['no trust request', () => sampleRequest({ trustRequests: [] })],
    ['no usage', () => sampleRequest({}, { usages: [] })],
    ['an unknown usage', () => sampleRequest({}, { usages: ['TLSServer' as CertUsage] })],
    ['a repeated usage', () => sampleRequest({}, { usages: ['tlsClient', 'tlsClient'] })],
    ['a hexadecimal serial', () => sampleRequest({}, { certificate: { issuer: 'CN=A', serial: '0x1F' } })],
    ['a serial with two signs', () => sampleRequest({}, { certificate: { issuer: 'CN=A', serial: '+-5' } })],
    ['a serial longer than 160 characters', () => sampleRequest({}, { certificate: { issuer: 'CN=A', serial: '1'.repeat(161) } })],
    ['an empty issuer', () => sampleRequest({}, { certificate: { issuer: '', serial: '5' } })],
    ['an empty response URL', () => sampleRequest({}, { responseUrl: '' })],
    ['a bracketed content id', () => sampleRequest({}, { contentId: '<cert-1@acme.example>' })],
    ['a cid: content id', () => sampleRequest({}, { contentId: 'cid:cert-1@acme.example' })],
    ['an invalid date', () => sampleRequest({ originated: { lexical: 'x', instant: new Date(Number.NaN), offsetMinutes: 0 } })],
    ['an offset beyond 14:00', () => sampleRequest({ originated: { lexical: 'x', instant: NOW, offsetMinutes: 900 } })],
    [
      'two trust requests for one certificate',
      () => {
        const base = sampleRequest();
        const first = base.trustRequests[0] as CemTrustRequest;
        return { ...base, trustRequests: [first, { ...first, contentId: 'other@acme.example' }] };
      },
    ],
    [
      'two trust requests with one content id',
      () => {
        const base = sampleRequest();
        const first = base.trustRequests[0] as CemTrustRequest;
        return { ...base, trustRequests: [first, { ...first, certificate: { issuer: 'CN=B', serial: '2' } }] };
      },
    ],
  ])('refuses %s with CEM_ARGUMENT', (_label, build) => {
    expect(codeOf(() => serializeCemRequest(build()))).toBe('CEM_ARGUMENT');
  });
});

describe('serializeCemResponse', () => {
  it('writes the spec-exact layout with the reason before the reference', () => {
    const xml = serializeCemResponse(sampleResponse());
    expect(xml).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<EDIINTCertificateExchangeResponse xmlns="urn:ietf:params:xml:ns:ediintcertificateexchange" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" requestId="req-1">',
        '  <TradingPartnerInfo>',
        '    <Name qualifier="AS2">PARTNER</Name>',
        '    <MessageOriginated>2025-06-01T08:15:30+00:00</MessageOriginated>',
        '  </TradingPartnerInfo>',
        '  <TrustResponse>',
        '    <CertStatus>Rejected</CertStatus>',
        '    <ReasonForRejection>Key usage does not allow encryption</ReasonForRejection>',
        '    <CertificateReference>',
        '      <ds:X509IssuerName>CN=ACME CA</ds:X509IssuerName>',
        '      <ds:X509SerialNumber>1</ds:X509SerialNumber>',
        '    </CertificateReference>',
        '  </TrustResponse>',
        '</EDIINTCertificateExchangeResponse>',
        '',
      ].join('\n'),
    );
    expect(validateCemXsd([xml])).toEqual([[]]);
  });

  it('writes XSD-valid documents that parse back to the same values (property)', () => {
    const documents: string[] = [];
    fc.assert(
      fc.property(response, (value) => {
        const xml = serializeCemResponse(value);
        expectSpecExactOutput(xml);
        expect(parseCemResponse(xml)).toEqual(withWrittenQualifier(value));
        documents.push(xml);
      }),
      { numRuns: 300 },
    );
    const errors = validateCemXsd(documents);
    expect(errors.filter((e) => e.length > 0)).toEqual([]);
    expect(errors).toHaveLength(300);
  });

  it.each<[string, () => CemResponse]>([
    ['an empty requestId', () => sampleResponse({ requestId: '' })],
    ['no trust response', () => sampleResponse({ trustResponses: [] })],
    ['a lower-case status', () => sampleResponse({ trustResponses: [{ status: 'accepted' as 'Accepted', reason: null, certificate: { issuer: 'CN=A', serial: '1' } }] })],
    ['an empty reason', () => sampleResponse({ trustResponses: [{ status: 'Rejected', reason: '', certificate: { issuer: 'CN=A', serial: '1' } }] })],
    ['a padded reason', () => sampleResponse({ trustResponses: [{ status: 'Rejected', reason: 'bad ', certificate: { issuer: 'CN=A', serial: '1' } }] })],
    ['a control character in a reason', () => sampleResponse({ trustResponses: [{ status: 'Rejected', reason: 'a\u001bb', certificate: { issuer: 'CN=A', serial: '1' } }] })],
    ['a serial with two signs', () => sampleResponse({ trustResponses: [{ status: 'Accepted', reason: null, certificate: { issuer: 'CN=A', serial: '--1' } }] })],
    ['a serial with an exponent', () => sampleResponse({ trustResponses: [{ status: 'Accepted', reason: null, certificate: { issuer: 'CN=A', serial: '1e3' } }] })],
    [
      'two trust responses for one certificate',
      () =>
        sampleResponse({
          trustResponses: [
            { status: 'Accepted', reason: null, certificate: { issuer: 'CN=A', serial: '1' } },
            { status: 'Rejected', reason: null, certificate: { issuer: 'CN=A', serial: '1' } },
          ],
        }),
    ],
  ])('refuses %s with CEM_ARGUMENT', (_label, build) => {
    expect(codeOf(() => serializeCemResponse(build()))).toBe('CEM_ARGUMENT');
  });

  it('answers a request that carried no requestId without one (draft-14 §2.5), and the result is XSD-valid', () => {
    const xml = serializeCemResponse(sampleResponse({ requestId: null }));
    expect(xml).not.toContain('requestId');
    expect(validateCemXsd([xml])).toEqual([[]]);
    expect(parseCemResponse(xml).requestId).toBeNull();
  });

  it('refuses two trust responses naming one certificate in different spellings (issuer by meaning, serial by value) with CEM_ARGUMENT', () => {
    const response = sampleResponse({
      trustResponses: [
        { status: 'Accepted', reason: null, certificate: { issuer: 'CN=A,O=B', serial: '1' } },
        { status: 'Accepted', reason: null, certificate: { issuer: 'o=b, cn=a', serial: '+001' } },
      ],
    });
    expect(codeOf(() => serializeCemResponse(response))).toBe('CEM_ARGUMENT');
  });

  it('accepts two trust responses for different certificates of one issuer', () => {
    const xml = serializeCemResponse(
      sampleResponse({
        trustResponses: [
          { status: 'Accepted', reason: null, certificate: { issuer: 'CN=A,O=B', serial: '1' } },
          { status: 'Accepted', reason: null, certificate: { issuer: 'CN=A, O=B', serial: '10' } },
        ],
      }),
    );
    expect(parseCemResponse(xml).trustResponses).toHaveLength(2);
  });

  it('writes serials with a plus sign or leading zeros exactly as given (an exact echo), XSD-valid', () => {
    const xml = serializeCemResponse(
      sampleResponse({
        trustResponses: [
          { status: 'Accepted', reason: null, certificate: { issuer: 'CN=A', serial: '000486815' } },
          { status: 'Rejected', reason: null, certificate: { issuer: 'CN=A', serial: '+7' } },
        ],
      }),
    );
    expect(xml).toContain('<ds:X509SerialNumber>000486815</ds:X509SerialNumber>');
    expect(xml).toContain('<ds:X509SerialNumber>+7</ds:X509SerialNumber>');
    expect(validateCemXsd([xml])).toEqual([[]]);
    expect(parseCemResponse(xml).trustResponses.map((t) => t.certificate.serial)).toEqual(['000486815', '+7']);
  });
});
