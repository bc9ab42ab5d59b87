/**
 * Issue 9, points 9 and 11: the XML reader agrees with expat where the audit found it did not
 * (a namespace prefix that is not an NCName and a PI target with a colon are refused; a long but
 * valid character reference is read), and it reads mendelson's unescaped `&` (AT&T, Procter &
 * Gamble in AS2 names and issuer names) as a literal `&`, without any other leniency.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseCemRequest } from '../../src/messages/request-xml.js';

const doc = (name: string, issuer: string, extra = '') => `<?xml version="1.0" encoding="UTF-8"?>
<EDIINTCertificateExchangeRequest xmlns="urn:ietf:params:xml:ns:ediintcertificateexchange" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" requestId="r-1"${extra}>
<TradingPartnerInfo><Name qualifier="AS2">${name}</Name><MessageOriginated>2025-01-31T12:00:00+01:00</MessageOriginated></TradingPartnerInfo>
<TrustRequest><CertUsage>tlsServer</CertUsage><ResponseURL>https://a.test/</ResponseURL><EndEntity><CertificateIdentifier>
<ds:X509IssuerName>${issuer}</ds:X509IssuerName><ds:X509SerialNumber>-5</ds:X509SerialNumber></CertificateIdentifier>
<CertificateContentID>c@a.test</CertificateContentID></EndEntity></TrustRequest></EDIINTCertificateExchangeRequest>`;

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

/** What Python's expat (pyexpat, the reference conforming parser here) says of a document. */
function expatAccepts(xml: string): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import sys, xml.parsers.expat as e; p = e.ParserCreate(namespace_separator=" "); p.Parse(sys.stdin.buffer.read(), True)'], { input: xml, stdio: ['pipe', 'pipe', 'pipe'] });
    return true;
  } catch {
    return false;
  }
}

describe("mendelson's unescaped & (peer workaround)", () => {
  it('reads a bare & in text as a literal &, as mendelson means it', () => {
    const request = parseCemRequest(doc('AT&T', 'CN=Procter & Gamble CA,O=AT&T Inc.,C=US'));
    expect(request.sender.name).toBe('AT&T');
    expect(request.trustRequests[0]?.certificate.issuer).toBe('CN=Procter & Gamble CA,O=AT&T Inc.,C=US');
  });

  it('reads a bare & in an attribute value, and still resolves the real references around it', () => {
    const request = parseCemRequest(doc('A &amp; B &#x26; C & D', 'CN=x', '').replace('requestId="r-1"', 'requestId="a&b&amp;c"'));
    expect(request.requestId).toBe('a&b&c');
    expect(request.sender.name).toBe('A & B & C & D');
  });

  it('stays strict about everything else: undefined entities, a bare <, a broken character reference', () => {
    expect(code(() => parseCemRequest(doc('AT&T;', 'CN=x')))).toBe('CEM_XML_MALFORMED');
    expect(code(() => parseCemRequest(doc('A&foo;B', 'CN=x')))).toBe('CEM_XML_MALFORMED');
    expect(code(() => parseCemRequest(doc('A<B', 'CN=x')))).toBe('CEM_XML_MALFORMED');
    expect(code(() => parseCemRequest(doc('A&#x;B', 'CN=x')))).toBe('CEM_XML_MALFORMED');
    expect(code(() => parseCemRequest(doc('A&#12a;B', 'CN=x')))).toBe('CEM_XML_MALFORMED');
  });
});

describe('agreement with expat', () => {
  it('refuses a namespace prefix that is not an NCName, as expat does', () => {
    const xml = doc('A', 'CN=x', ' xmlns:1="urn:u"');
    expect(expatAccepts(xml)).toBe(false);
    expect(code(() => parseCemRequest(xml))).toBe('CEM_XML_MALFORMED');
  });

  it('refuses a processing instruction target with a colon, as expat does', () => {
    const xml = doc('A', 'CN=x').replace('<TradingPartnerInfo>', '<?a:b data?><TradingPartnerInfo>');
    expect(expatAccepts(xml)).toBe(false);
    expect(code(() => parseCemRequest(xml))).toBe('CEM_XML_MALFORMED');
    expect(parseCemRequest(doc('A', 'CN=x').replace('<TradingPartnerInfo>', '<?ab data?><TradingPartnerInfo>')).sender.name).toBe('A');
  });

  it('reads long but valid character references (leading zeros), as expat does', () => {
    const xml = doc('&#x0000000041;&#0000000066;&#x000000000000000001F600;', 'CN=x');
    expect(expatAccepts(xml)).toBe(true);
    expect(parseCemRequest(xml).sender.name).toBe('AB😀');
    expect(code(() => parseCemRequest(doc('&#x110000;', 'CN=x')))).toBe('CEM_XML_MALFORMED');
    expect(code(() => parseCemRequest(doc('&#x0000000000110000;', 'CN=x')))).toBe('CEM_XML_MALFORMED');
    expect(code(() => parseCemRequest(doc('&#99999999999;', 'CN=x')))).toBe('CEM_XML_MALFORMED');
  });
});
