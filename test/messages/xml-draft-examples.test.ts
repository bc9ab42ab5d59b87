import { describe, expect, it } from 'vitest';
import { parseCemDocument } from '../../src/messages/document-xml.js';
import { parseCemRequest, serializeCemRequest } from '../../src/messages/request-xml.js';
import { parseCemResponse, serializeCemResponse } from '../../src/messages/response-xml.js';
import { codeOf, draftExample, isDeeplyFrozen, validateCemXsd } from '../helpers/xsd.js';

// Values as written in the repaired Appendix A.2/A.3 fixtures.
const CLEO_ISSUER =
  'CN=Cleo-SP,E=as2selfpacedsupport@drummondgroup.com,O=DGI,OU=DGI,L=Ft. Worth,S=Texas,C=US';
const CLEO_SERIAL = '9659684611094873474886';
const VERISIGN_ISSUER =
  'CN=VeriSign Class 1 CA Individual Subscriber-Persona Not Validated,' +
  'OU=www.verisign.com/repository/RPA Incorp. By Ref.\\,LIAB.LTD(c)98,' +
  'OU=VeriSign Trust Network,O=VeriSign\\, Inc.';
const VERISIGN_SERIAL = '2673611014597817669550861744279966682';
const REQUEST_ID = '01170702153479-msgAlphaBravo';

describe('draft-14 Appendix A.2 (repaired request)', () => {
  const text = draftExample('A.2-request.repaired.xml');

  it('is valid against the draft-14 schema (the fixture itself)', () => {
    expect(validateCemXsd([text])).toEqual([[]]);
    expect(text).toContain(VERISIGN_ISSUER);
    expect(text).toContain(VERISIGN_SERIAL);
  });

  it('parses to exactly the values it contains', () => {
    const request = parseCemRequest(text);
    expect(request).toEqual({
      requestId: REQUEST_ID,
      sender: { name: 'DGI_Test_CEM', qualifier: 'AS2' },
      originated: {
        lexical: '2005-08-30T00:30:00-05:00',
        instant: new Date('2005-08-30T05:30:00Z'),
        offsetMinutes: -300,
      },
      trustRequests: [
        {
          usages: ['keyEncipherment', 'digitalSignature'],
          respondBy: {
            lexical: '2005-09-30T12:00:00-05:00',
            instant: new Date('2005-09-30T17:00:00Z'),
            offsetMinutes: -300,
          },
          responseUrl: 'http://10.1.1.1/as2',
          certificate: { issuer: CLEO_ISSUER, serial: CLEO_SERIAL },
          contentId: 'SignEncCert-Example_vs02@example.org',
        },
        {
          usages: ['tlsServer'],
          respondBy: {
            lexical: '2005-09-30T12:00:00-05:00',
            instant: new Date('2005-09-30T17:00:00Z'),
            offsetMinutes: -300,
          },
          responseUrl: 'http://10.1.1.1/as2',
          certificate: { issuer: VERISIGN_ISSUER, serial: VERISIGN_SERIAL },
          contentId: 'SSLCert-Example_vs02@example.org',
        },
      ],
    });
    expect(isDeeplyFrozen(request)).toBe(true);
  });

  it('round-trips: parse, serialize, XSD-valid, parse, deep-equal', () => {
    const first = parseCemRequest(text);
    const written = serializeCemRequest(first);
    expect(validateCemXsd([written])).toEqual([[]]);
    expect(parseCemRequest(written)).toEqual(first);
    expect(serializeCemRequest(parseCemRequest(written))).toBe(written);
  });

  it('is detected as a request by parseCemDocument', () => {
    const doc = parseCemDocument(Buffer.from(text, 'utf8'));
    expect(doc.kind).toBe('request');
    expect(doc.kind === 'request' && doc.request.trustRequests.length).toBe(2);
  });
});

describe('draft-14 Appendix A.3 (repaired response)', () => {
  const text = draftExample('A.3-response.repaired.xml');

  it('is valid against the draft-14 schema (the fixture itself)', () => {
    expect(validateCemXsd([text])).toEqual([[]]);
  });

  it('parses to exactly the values it contains', () => {
    const response = parseCemResponse(text);
    expect(response).toEqual({
      requestId: REQUEST_ID,
      sender: { name: 'DGI_Test_CEM_Trading_Partner', qualifier: 'AS2' },
      originated: {
        lexical: '2005-08-31T00:21:00-05:00',
        instant: new Date('2005-08-31T05:21:00Z'),
        offsetMinutes: -300,
      },
      trustResponses: [
        { status: 'Accepted', reason: null, certificate: { issuer: CLEO_ISSUER, serial: CLEO_SERIAL } },
        { status: 'Accepted', reason: null, certificate: { issuer: VERISIGN_ISSUER, serial: VERISIGN_SERIAL } },
      ],
    });
    expect(isDeeplyFrozen(response)).toBe(true);
  });

  it('round-trips: parse, serialize, XSD-valid, parse, deep-equal', () => {
    const first = parseCemResponse(text);
    const written = serializeCemResponse(first);
    expect(validateCemXsd([written])).toEqual([[]]);
    expect(parseCemResponse(written)).toEqual(first);
  });

  it('echoes the request certificates: its references equal the A.2 identifiers', () => {
    const request = parseCemRequest(draftExample('A.2-request.repaired.xml'));
    const response = parseCemResponse(text);
    expect(response.requestId).toBe(request.requestId);
    expect(response.trustResponses.map((t) => t.certificate)).toEqual(
      request.trustRequests.map((t) => t.certificate),
    );
  });
});

describe('draft-14 examples as published', () => {
  it.each([
    'A.2-request.as-published.xml',
    'A.3-response.as-published.xml',
    'A.2-request.xml',
    'A.3-response.xml',
  ])('refuses %s (not well-formed) with CEM_XML_MALFORMED', (name) => {
    expect(codeOf(() => parseCemDocument(draftExample(name)))).toBe('CEM_XML_MALFORMED');
  });

  it('reads the margin-removed A.2 once its split end tag is re-joined, trimming the pretty-printed values', () => {
    const joined = draftExample('A.2-request.xml').replace('</ds:X50\n9SerialNumber>', '</ds:X509SerialNumber>');
    const request = parseCemRequest(joined);
    expect(request.originated.lexical).toBe('2005-08-30T00:30:00-05:00');
    expect(request.trustRequests.map((t) => t.contentId)).toEqual([
      'SignEncCert-Example_vs02@example.org',
      'SSLCert-Example_vs02@example.org',
    ]);
    expect(request.trustRequests[1]?.certificate.serial).toBe(VERISIGN_SERIAL);
    // Line breaks inside the wrapped DN are part of the value as printed, so they are kept.
    expect(request.trustRequests[0]?.certificate.issuer).toBe(
      'CN=Cleo-\nSP,E=as2selfpacedsupport@drummondgroup.com,O=DGI,OU=DGI,L=Ft. \nWorth,S=Texas,C=US',
    );
  });

  it('reads the margin-removed A.3 once its split end tag is re-joined', () => {
    const joined = draftExample('A.3-response.xml').replace('</ds:X50\n9SerialNumber>', '</ds:X509SerialNumber>');
    const response = parseCemResponse(joined);
    expect(response.originated.lexical).toBe('2005-08-31T00:21:00-05:00');
    expect(response.trustResponses.map((t) => t.status)).toEqual(['Accepted', 'Accepted']);
  });
});
