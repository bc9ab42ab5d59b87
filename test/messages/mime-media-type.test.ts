import { describe, expect, it } from 'vitest';
import { formatMediaType, parseMediaType } from '../../src/messages/mime/media-type.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('parseMediaType', () => {
  it('lower-cases type, subtype and parameter names but keeps values', () => {
    const mt = parseMediaType('Multipart/Related; Type="application/EDIINT-cert-exchange+xml"; BOUNDARY=AbC');
    expect(mt).toEqual({
      type: 'multipart',
      subtype: 'related',
      essence: 'multipart/related',
      params: { type: 'application/EDIINT-cert-exchange+xml', boundary: 'AbC' },
    });
  });

  it('unescapes quoted strings', () => {
    expect(parseMediaType('text/plain; name="a \\"b\\" \\\\ c"').params.name).toBe('a "b" \\ c');
  });

  it('reads bare values holding tspecials the way real peers write them', () => {
    const mt = parseMediaType('multipart/signed; boundary=----=_Part_211_306083396.1641304626706; type=application/xml');
    expect(mt.params.boundary).toBe('----=_Part_211_306083396.1641304626706');
    expect(mt.params.type).toBe('application/xml');
  });

  it('tolerates comments, whitespace, empty parameters and a trailing semicolon', () => {
    const mt = parseMediaType(' (c1) text / plain (c2 (nested)) ;; charset = "utf-8" (c3);  ; ');
    expect(mt.essence).toBe('text/plain');
    expect(mt.params).toEqual({ charset: 'utf-8' });
  });

  it('ignores a parameter without a value', () => {
    expect(parseMediaType('text/plain; flowed; charset=us-ascii').params).toEqual({ charset: 'us-ascii' });
  });

  it('joins RFC 2231 continuations of boundary, start and type', () => {
    const mt = parseMediaType(
      'multipart/related; boundary*0="abc"; boundary*1=def; start*0="<x@"; start*1="y>"; type*0="application/"; type*1="ediint-cert-exchange+xml"',
    );
    expect(mt.params).toEqual({ boundary: 'abcdef', start: '<x@y>', type: 'application/ediint-cert-exchange+xml' });
  });

  it('decodes RFC 2231 charset-encoded values, single and continued', () => {
    expect(parseMediaType("text/plain; name*=utf-8''%E2%82%AC%20rate.txt").params.name).toBe('€ rate.txt');
    expect(parseMediaType("text/plain; name*=iso-8859-1'en'caf%E9").params.name).toBe('café');
    expect(parseMediaType("text/plain; name*0*=utf-8''%C3%A9t; name*1=\"e 1\"; name*2*=%C3%A9").params.name).toBe('éte 1é');
  });

  it('prefers the RFC 2231 form over a plain parameter of the same name', () => {
    expect(parseMediaType("text/plain; name=plain; name*=utf-8''ext").params.name).toBe('ext');
  });

  it('repairs the draft §2.1 type value wrapped inside its quotes', () => {
    // After unfolding `type="application/ediint-cert-\r\n exchange+xml"` a space is left inside.
    const mt = parseMediaType('multipart/related; type="application/ediint-cert- exchange+xml"; boundary="--INNER-BOUNDARY"');
    expect(mt.params.type).toBe('application/ediint-cert-exchange+xml');
    expect(mt.params.boundary).toBe('--INNER-BOUNDARY');
  });

  it('leaves whitespace in a type value that would not become a media type', () => {
    expect(parseMediaType('multipart/related; type="not a media type"').params.type).toBe('not a media type');
  });

  it('removes folding whitespace from start', () => {
    expect(parseMediaType('multipart/related; start="<abc@ example.org>"').params.start).toBe('<abc@example.org>');
  });

  it.each([
    ['', 'no type'],
    ['text', 'no slash'],
    ['text/', 'no subtype'],
    ['/plain', 'no type before slash'],
    ['text/plain; name="open', 'unclosed quote'],
    ['text/plain junk', 'text after the subtype'],
    ['text/plain; a=1 b=2', 'text after a value'],
    ['multipart/mixed; boundary=a; boundary=b', 'a repeated boundary'],
    ['text/plain; =x', 'a parameter without a name'],
  ])('refuses %j (%s) with CEM_MIME_MALFORMED', (value) => {
    expect(code(() => parseMediaType(value))).toBe('CEM_MIME_MALFORMED');
  });

  it('returns frozen data', () => {
    const mt = parseMediaType('text/plain; a=b');
    expect(Object.isFrozen(mt)).toBe(true);
    expect(Object.isFrozen(mt.params)).toBe(true);
  });
});

describe('formatMediaType', () => {
  it('quotes boundary and type and leaves smime-type bare', () => {
    expect(formatMediaType('multipart/related', { type: 'application/ediint-cert-exchange+xml', boundary: 'b1' })).toBe(
      'multipart/related; type="application/ediint-cert-exchange+xml"; boundary="b1"',
    );
    expect(formatMediaType('application/pkcs7-mime', { 'smime-type': 'certs-only' })).toBe(
      'application/pkcs7-mime; smime-type=certs-only',
    );
  });

  it('escapes quotes and backslashes and round-trips through parseMediaType', () => {
    const params = { name: 'a "q" \\ b', charset: 'utf-8', 'x-y': 'with space' };
    expect(parseMediaType(formatMediaType('text/plain', params)).params).toEqual(params);
  });

  it('writes non-ASCII values in RFC 2231 form that parses back', () => {
    const written = formatMediaType('application/octet-stream', { filename: 'zertifikat-é€.p7c' });
    expect(written).toMatch(/filename\*=utf-8''/);
    expect(parseMediaType(written).params.filename).toBe('zertifikat-é€.p7c');
  });

  it('refuses bad essences, names and control characters with CEM_ARGUMENT', () => {
    expect(code(() => formatMediaType('text', {}))).toBe('CEM_ARGUMENT');
    expect(code(() => formatMediaType('text/plain', { 'a b': 'x' }))).toBe('CEM_ARGUMENT');
    expect(code(() => formatMediaType('text/plain', { a: 'x\r\nInjected: y' }))).toBe('CEM_ARGUMENT');
  });
});
