import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeCemContentId } from '../../src/messages/content-id.js';
import { getHeader } from '../../src/messages/mime/headers.js';
import { parseMimeEntity } from '../../src/messages/mime/parse.js';
import { materialiseSkeleton } from '../fixtures/mime/materialise.js';

const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes ?? new Uint8Array());

describe('the draft §2.1 Request skeleton as literal MIME', () => {
  const mime = materialiseSkeleton('sec2.1-request-mime.as-published.txt', {
    '[CEM XML data]': '<EDIINTCertificateExchangeRequest/>',
    '[digital certificate]': 'MIIB',
    '[Digital Signature]': 'MIIC',
  });
  const outer = parseMimeEntity(mime);

  it('reads the outer multipart/signed with its continued parameters', () => {
    expect(outer.contentType?.essence).toBe('multipart/signed');
    expect(outer.contentType?.params).toEqual({ micalg: 'sha1', protocol: 'application/pkcs7-signature', boundary: '--OUTER-BOUNDARY' });
    expect(getHeader(outer, 'disposition-notification-to')).toBe('http://10.1.1.1:80/exchange/as2-company');
    expect(outer.parts).toHaveLength(2);
  });

  it('repairs the type value the draft wraps inside its quotes', () => {
    const related = outer.parts?.[0];
    expect(related?.contentType?.essence).toBe('multipart/related');
    expect(related?.contentType?.params.type).toBe('application/ediint-cert-exchange+xml');
    expect(related?.contentType?.params.boundary).toBe('--INNER-BOUNDARY');
  });

  it('finds the XML part first and the certs-only part second, padding and all', () => {
    const parts = outer.parts?.[0]?.parts ?? [];
    expect(parts.map((p) => p.contentType?.essence)).toEqual(['application/ediint-cert-exchange+xml', 'application/pkcs7-mime']);
    expect(parts[1]?.contentType?.params['smime-type']).toBe('certs-only');
    expect(parts.map((p) => normalizeCemContentId(getHeader(p, 'content-id') ?? ''))).toEqual(['20040101-1.alpha@example.org', '20040101-2.alpha@example.org']);
    expect(text(parts[0]?.body)).toBe('<EDIINTCertificateExchangeRequest/>');
    expect(text(parts[1]?.body)).toBe('MIIB');
    expect(outer.parts?.[1]?.contentType?.essence).toBe('application/pkcs7-signature');
  });
});

describe('the draft §2.1 Response skeleton as literal MIME', () => {
  it('reads a multipart/related with the single XML part', () => {
    const outer = parseMimeEntity(
      materialiseSkeleton('sec2.1-response-mime.as-published.txt', { '[CEM XML data]': '<r/>', '[Digital Signature]': 'MIIC' }),
    );
    const related = outer.parts?.[0];
    expect(related?.contentType?.params.type).toBe('application/ediint-cert-exchange+xml');
    expect(related?.parts).toHaveLength(1);
    expect(text(related?.parts?.[0]?.body)).toBe('<r/>');
  });
});

describe('the draft §5 profile exchange skeleton as literal MIME', () => {
  it('reads start, and a signature part whose headers the draft pushed into the body', () => {
    const outer = parseMimeEntity(
      materialiseSkeleton('sec5-profile-exchange-mime.as-published.txt', {
        '[CEM XML data]': '<x/>',
        '[Profile information attachment]': 'Content-Type: text/plain\n\nprofile',
        '[Digital Signature]': 'MIIC',
      }),
    );
    expect(getHeader(outer, 'disposition-notification-options')?.replace(/\s+/g, ' ')).toBe(
      'signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha1',
    );
    const related = outer.parts?.[0];
    expect(related?.contentType?.params).toEqual({
      start: '<aayxdfl01012000@foo.com>',
      type: 'application/ediint-cert-exchange+xml',
      boundary: '--BOUNDARY2',
    });
    expect(related?.parts?.map((p) => text(p.body))).toEqual(['<x/>', 'profile']);
    // The blank line after ----BOUNDARY1 leaves the signature part without headers.
    const signature = outer.parts?.[1];
    expect(signature?.headers).toEqual([]);
    expect(text(signature?.body)).toMatch(/^Content-Type: application\/pkcs7-signature/);
  });
});

describe('a real peer entity: the ASP.NET signed MDN', () => {
  it('reads multipart/signed around multipart/report with a tricky boundary', () => {
    const bytes = readFileSync(join(import.meta.dirname, '../fixtures/mime/as2testing-dotnet-signed-mdn.txt'));
    const e = parseMimeEntity(new Uint8Array(bytes));
    expect(getHeader(e, 'EDIINT-FEATURES')).toBe('CEM, multiple-attachments');
    expect(e.contentType?.params.boundary).toBe('boundaryHO/tAQ==');
    const [report, signature] = e.parts ?? [];
    expect(report?.contentType?.params['report-type']).toBe('disposition-notification');
    expect(report?.parts?.map((p) => p.contentType?.essence)).toEqual(['text/plain', 'message/disposition-notification']);
    expect(signature?.contentType?.params.name).toBe('smime.p7s');
    // The signature is a DER SignedData: a SEQUENCE with a long-form length.
    expect([...(signature?.body.subarray(0, 2) ?? [])]).toEqual([0x30, 0x82]);
  });
});
