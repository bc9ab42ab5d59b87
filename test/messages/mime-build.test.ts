import { describe, expect, it } from 'vitest';
import {
  buildMimeEntity,
  buildMultipartEntity,
  buildMultipartRelated,
  serializeMimeEntity,
  serializeMultipartRelated,
} from '../../src/messages/mime/build.js';
import { getHeader } from '../../src/messages/mime/headers.js';
import { parseMimeEntity } from '../../src/messages/mime/parse.js';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

const xml = buildMimeEntity({
  contentType: 'application/ediint-cert-exchange+xml',
  body: '<EDIINTCertificateExchangeResponse/>',
  transferEncoding: 'binary',
  contentId: 'xml-1@example.org',
});
const der = Uint8Array.from({ length: 300 }, (_v, i) => (i * 37) & 0xff);
const cert = buildMimeEntity({
  contentType: 'application/pkcs7-mime; smime-type=certs-only',
  body: der,
  transferEncoding: 'base64',
  contentId: '<cert-1@example.org>',
  headers: [{ name: 'Content-Disposition', value: 'attachment; filename="cert-1.p7c"' }],
});

describe('buildMimeEntity', () => {
  it('writes Content-Type, Content-Transfer-Encoding and a bracketed Content-ID', () => {
    expect(cert.headers.map((h) => h.name)).toEqual(['Content-Type', 'Content-Transfer-Encoding', 'Content-ID', 'Content-Disposition']);
    expect(getHeader(cert, 'content-id')).toBe('<cert-1@example.org>');
    expect(getHeader(xml, 'content-id')).toBe('<xml-1@example.org>');
  });

  it('writes base64 in CRLF lines of 76 characters', () => {
    const lines = text(cert.rawBody).split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -2).every((l) => l.length === 76)).toBe(true);
    expect(lines.at(-2)?.length).toBeLessThanOrEqual(76);
    expect(Buffer.from(lines.join(''), 'base64')).toEqual(Buffer.from(der));
  });

  it('refuses malformed Content-IDs, headers and 7bit bodies with CEM_ARGUMENT', () => {
    const base = { contentType: 'text/plain', body: 'x' };
    expect(code(() => buildMimeEntity({ ...base, contentId: 'has space' }))).toBe('CEM_ARGUMENT');
    expect(code(() => buildMimeEntity({ ...base, contentId: '' }))).toBe('CEM_ARGUMENT');
    expect(code(() => buildMimeEntity({ ...base, contentId: '<a<b>' }))).toBe('CEM_ARGUMENT');
    expect(code(() => buildMimeEntity({ ...base, headers: [{ name: 'X-A', value: 'a\r\nInjected: 1' }] }))).toBe('CEM_ARGUMENT');
    expect(code(() => buildMimeEntity({ ...base, headers: [{ name: 'Bad Name', value: 'a' }] }))).toBe('CEM_ARGUMENT');
    expect(code(() => buildMimeEntity({ ...base, body: 'é', transferEncoding: '7bit' }))).toBe('CEM_ARGUMENT');
    expect(code(() => buildMimeEntity({ ...base, contentType: 'nonsense' }))).toBe('CEM_ARGUMENT');
    expect(code(() => buildMimeEntity({ ...base, headers: [{ name: 'content-type', value: 'text/html' }] }))).toBe('CEM_ARGUMENT');
    expect(code(() => buildMimeEntity({ ...base, contentId: 'a@b', headers: [{ name: 'Content-ID', value: '<c@d>' }] }))).toBe('CEM_ARGUMENT');
  });
});

describe('buildMultipartRelated / serializeMimeEntity', () => {
  const related = buildMultipartRelated({
    type: 'application/ediint-cert-exchange+xml',
    parts: [xml, cert],
    headers: [{ name: 'MIME-Version', value: '1.0' }],
  });
  const bytes = serializeMimeEntity(related);

  it('uses CRLF line ends everywhere', () => {
    const s = text(bytes);
    expect(s.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('writes the quoted type parameter and a boundary that never occurs in a part', () => {
    const boundary = related.contentType?.params.boundary ?? '';
    expect(getHeader(related, 'content-type')).toBe(`multipart/related; type="application/ediint-cert-exchange+xml"; boundary="${boundary}"`);
    for (const part of [xml, cert]) expect(text(serializeMimeEntity(part))).not.toContain(`--${boundary}`);
  });

  it('chooses the same boundary for the same content and another for other content', () => {
    const again = buildMultipartRelated({ type: 'application/ediint-cert-exchange+xml', parts: [xml, cert] });
    const other = buildMultipartRelated({ type: 'application/ediint-cert-exchange+xml', parts: [xml] });
    expect(again.contentType?.params.boundary).toBe(related.contentType?.params.boundary);
    expect(other.contentType?.params.boundary).not.toBe(related.contentType?.params.boundary);
  });

  it('round-trips through parseMimeEntity', () => {
    const parsed = parseMimeEntity(bytes);
    expect(parsed.headers).toEqual(related.headers);
    expect(parsed.parts).toHaveLength(2);
    expect(parsed.parts?.[0]?.headers).toEqual(xml.headers);
    expect(text(parsed.parts?.[0]?.body ?? new Uint8Array())).toBe('<EDIINTCertificateExchangeResponse/>');
    expect([...(parsed.parts?.[1]?.body ?? [])]).toEqual([...der]);
    expect(serializeMultipartRelated({ type: 'application/ediint-cert-exchange+xml', parts: [xml, cert], headers: [{ name: 'MIME-Version', value: '1.0' }] })).toEqual(bytes);
  });

  it('writes start when asked, with brackets', () => {
    const withStart = buildMultipartRelated({ type: 'application/ediint-cert-exchange+xml', start: 'xml-1@example.org', parts: [cert, xml] });
    expect(withStart.contentType?.params.start).toBe('<xml-1@example.org>');
  });

  it('folds long headers at 76 characters outside quoted strings, and unfolds to the same value', () => {
    const long = buildMultipartRelated({
      type: 'application/ediint-cert-exchange+xml',
      start: `${'s'.repeat(40)}@example.org`,
      parts: [xml],
    });
    const head = text(serializeMimeEntity(long)).split('\r\n\r\n')[0] ?? '';
    const lines = head.split('\r\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(76);
    for (const line of lines.slice(1)) expect(line).toMatch(/^[ \t]\S/);
    expect(parseMimeEntity(serializeMimeEntity(long)).headers).toEqual(long.headers);
  });

  it('never folds inside a quoted string even when a line gets longer than 76', () => {
    const entity = buildMimeEntity({ contentType: `text/plain; name="${'a b '.repeat(30)}"`, body: '' });
    const head = text(serializeMimeEntity(entity)).split('\r\n\r\n')[0] ?? '';
    expect(head.split('\r\n')).toHaveLength(2);
    expect(parseMimeEntity(serializeMimeEntity(entity)).contentType?.params.name).toBe('a b '.repeat(30));
  });

  it('nests: a multipart inside a multipart round-trips', () => {
    const outer = buildMultipartEntity({ subtype: 'mixed', parts: [related, xml] });
    const parsed = parseMimeEntity(serializeMimeEntity(outer));
    expect(parsed.parts?.[0]?.parts?.[1]?.body).toEqual(der);
  });

  it('refuses no parts or a caller-chosen boundary with CEM_ARGUMENT', () => {
    expect(code(() => buildMultipartRelated({ type: 'application/ediint-cert-exchange+xml', parts: [] }))).toBe('CEM_ARGUMENT');
    expect(code(() => buildMultipartEntity({ subtype: 'mixed', params: { Boundary: 'x' }, parts: [xml] }))).toBe('CEM_ARGUMENT');
  });
});
