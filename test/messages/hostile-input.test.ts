/**
 * Inputs shaped to make the message parsers slow or memory-hungry: long internal whitespace runs
 * in XML values and dates, and header blocks with millions of fields. Each must be answered in
 * well under a second (the old code took from 7 s to minutes) or refused with its code.
 */
import { describe, expect, it } from 'vitest';
import { parseCemDateTime } from '../../src/messages/datetime.js';
import { parseCemEntity } from '../../src/messages/entity/parse.js';
import { parseMimeEntity } from '../../src/messages/mime/parse.js';
import { parseCemRequest } from '../../src/messages/request-xml.js';
import { parseCemResponse } from '../../src/messages/response-xml.js';
import { codeOf } from '../helpers/xsd.js';

const FAST_MS = 1000;
const CEM = 'urn:ietf:params:xml:ns:ediintcertificateexchange';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const RUN = ' '.repeat(150_000);

function elapsed(fn: () => unknown): number {
  const start = performance.now();
  try {
    fn();
  } catch {
    // the caller asserts the outcome separately
  }
  return performance.now() - start;
}

function request(name: string, originated = '2025-01-31T12:00:00+01:00', qualifier = 'AS2'): string {
  return `<EDIINTCertificateExchangeRequest xmlns="${CEM}" xmlns:ds="${DS}" requestId="r-1">` +
    `<TradingPartnerInfo><Name qualifier="${qualifier}">${name}</Name><MessageOriginated>${originated}</MessageOriginated></TradingPartnerInfo>` +
    '<TrustRequest><CertUsage>digitalSignature</CertUsage><ResponseURL>https://acme.example/as2</ResponseURL><EndEntity>' +
    '<CertificateIdentifier><ds:X509IssuerName>CN=ACME CA</ds:X509IssuerName><ds:X509SerialNumber>4660</ds:X509SerialNumber></CertificateIdentifier>' +
    '<CertificateContentID>c1@acme.example</CertificateContentID></EndEntity></TrustRequest></EDIINTCertificateExchangeRequest>';
}

describe('XML whitespace trimming', () => {
  it('reads a Name holding 150 000 internal spaces in well under a second, keeping them', () => {
    const xml = request(`\n a${RUN}a \t`);
    expect(elapsed(() => parseCemRequest(xml))).toBeLessThan(FAST_MS);
    expect(parseCemRequest(xml).sender.name).toBe(`a${RUN}a`);
  });

  it('reads a qualifier attribute holding 150 000 internal spaces in well under a second', () => {
    const xml = request('ACME', undefined, `q${RUN}q`);
    expect(elapsed(() => parseCemRequest(xml))).toBeLessThan(FAST_MS);
    expect(parseCemRequest(xml).sender.qualifier).toHaveLength(RUN.length + 2);
  });

  it('reads a ReasonForRejection holding 150 000 internal newlines in well under a second', () => {
    const reason = `no${'\n'.repeat(150_000)}way`;
    const xml = `<EDIINTCertificateExchangeResponse xmlns="${CEM}" xmlns:ds="${DS}" requestId="r-1">` +
      '<TradingPartnerInfo><Name qualifier="AS2">P</Name><MessageOriginated>2025-01-31T12:00:00+01:00</MessageOriginated></TradingPartnerInfo>' +
      `<TrustResponse><CertStatus>Rejected</CertStatus><ReasonForRejection> ${reason} </ReasonForRejection>` +
      '<CertificateReference><ds:X509IssuerName>CN=ACME CA</ds:X509IssuerName><ds:X509SerialNumber>4660</ds:X509SerialNumber></CertificateReference></TrustResponse>' +
      '</EDIINTCertificateExchangeResponse>';
    expect(elapsed(() => parseCemResponse(xml))).toBeLessThan(FAST_MS);
    expect(parseCemResponse(xml).trustResponses[0]?.reason).toBe(reason);
  });

  it('refuses a MessageOriginated holding 150 000 internal spaces with CEM_XML_DATE in well under a second', () => {
    const xml = request('ACME', `2025-01-31${RUN}T12:00:00+01:00`);
    expect(elapsed(() => parseCemRequest(xml))).toBeLessThan(FAST_MS);
    expect(codeOf(() => parseCemRequest(xml))).toBe('CEM_XML_DATE');
  });

  it('parseCemDateTime trims outer whitespace and refuses 150 000 internal spaces in well under a second', () => {
    expect(parseCemDateTime('\r\n 2025-01-31T12:00:00+01:00\t').lexical).toBe('2025-01-31T12:00:00+01:00');
    const text = `2025${RUN}x`;
    expect(elapsed(() => parseCemDateTime(text))).toBeLessThan(FAST_MS);
    expect(codeOf(() => parseCemDateTime(text))).toBe('CEM_XML_DATE');
  });
});

describe('header block caps', () => {
  const crlf = (lines: readonly string[]): string => `${lines.join('\r\n')}\r\n`;

  it('refuses 16 MiB of empty header fields with CEM_MIME_TOO_LARGE in well under a second', () => {
    const flood = 'a:\n'.repeat(Math.floor((16 * 1024 * 1024 - 16) / 3));
    expect(codeOf(() => parseMimeEntity(flood))).toBe('CEM_MIME_TOO_LARGE');
    expect(codeOf(() => parseCemEntity(flood))).toBe('CEM_MIME_TOO_LARGE');
    expect(elapsed(() => parseMimeEntity(flood))).toBeLessThan(FAST_MS);
  });

  it('accepts 1000 fields in a block and refuses 1001 with CEM_MIME_TOO_LARGE', () => {
    const fields = (n: number): string[] => ['Content-Type: text/plain', ...Array.from({ length: n - 1 }, (_, i) => `X-F${i}: v`)];
    expect(parseMimeEntity(crlf([...fields(1000), '', 'body'])).headers).toHaveLength(1000);
    expect(codeOf(() => parseMimeEntity(crlf([...fields(1001), '', 'body'])))).toBe('CEM_MIME_TOO_LARGE');
  });

  it('counts the fields of each body part on its own', () => {
    const part = ['--b', 'Content-Type: text/plain', ...Array.from({ length: 999 }, (_, i) => `X-F${i}: v`), '', 'part'];
    const entity = parseMimeEntity(crlf(['Content-Type: multipart/mixed; boundary=b', '', ...part, ...part, '--b--']));
    expect(entity.parts?.map((p) => p.headers.length)).toEqual([1000, 1000]);
    const over = ['--b', 'Content-Type: text/plain', ...Array.from({ length: 1000 }, (_, i) => `X-F${i}: v`), '', 'part'];
    expect(codeOf(() => parseMimeEntity(crlf(['Content-Type: multipart/mixed; boundary=b', '', ...over, '--b--'])))).toBe('CEM_MIME_TOO_LARGE');
  });

  it('refuses a header block over 64 KiB (one folded field) with CEM_MIME_TOO_LARGE', () => {
    const folded = Array.from({ length: 1100 }, () => ` ${'v'.repeat(60)}`);
    expect(codeOf(() => parseMimeEntity(crlf(['X-Big: start', ...folded, '', 'body'])))).toBe('CEM_MIME_TOO_LARGE');
    const fits = folded.slice(0, 1000);
    expect(parseMimeEntity(crlf(['X-Big: start', ...fits, '', 'body'])).headers).toHaveLength(1);
  });

  it('takes other caps as maxHeaderFields and maxHeaderBytes', () => {
    const three = crlf(['A: 1', 'B: 2', 'C: 3', '', 'body']);
    expect(codeOf(() => parseMimeEntity(three, { maxHeaderFields: 2 }))).toBe('CEM_MIME_TOO_LARGE');
    // 'A: 1\r\nB: 2\r\nC: 3' is 16 bytes: the block up to the end of its last line
    expect(codeOf(() => parseMimeEntity(three, { maxHeaderBytes: 15 }))).toBe('CEM_MIME_TOO_LARGE');
    expect(parseMimeEntity(three, { maxHeaderFields: 3, maxHeaderBytes: 16 }).headers).toHaveLength(3);
    const many = crlf([...Array.from({ length: 1500 }, (_, i) => `X-F${i}: v`), '', 'body']);
    expect(parseMimeEntity(many, { maxHeaderFields: 2000 }).headers).toHaveLength(1500);
    expect(codeOf(() => parseCemEntity(three, { maxHeaderFields: 2 }))).toBe('CEM_MIME_TOO_LARGE');
  });

  it('refuses a cap that is not a non-negative integer with CEM_ARGUMENT', () => {
    expect(codeOf(() => parseMimeEntity('A: 1\r\n\r\n', { maxHeaderFields: -1 }))).toBe('CEM_ARGUMENT');
    expect(codeOf(() => parseCemEntity('A: 1\r\n\r\n', { maxHeaderBytes: 1.5 }))).toBe('CEM_ARGUMENT');
  });
});
