import { describe, expect, it } from 'vitest';
import { getHeader, getHeaders } from '../../src/messages/mime/headers.js';
import { parseMimeEntity } from '../../src/messages/mime/parse.js';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const crlf = (s: string): string => s.replace(/\r?\n/g, '\r\n');

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

const related = (boundaryParam: string, boundary: string) =>
  [
    `Content-Type: multipart/related; type="application/ediint-cert-exchange+xml"; boundary=${boundaryParam}`,
    '',
    `--${boundary}`,
    'Content-Type: application/ediint-cert-exchange+xml',
    'Content-ID: <xml@example.org>',
    '',
    '<x/>',
    `--${boundary}`,
    'Content-Type: text/plain',
    '',
    'second',
    `--${boundary}--`,
    '',
  ].join('\n');

describe('parseMimeEntity: header block', () => {
  it('unfolds folded headers and keeps names as written', () => {
    const e = parseMimeEntity(crlf('content-type: text/plain;\n\tcharset=utf-8\nX-Long: a\n  b\n c\n\nbody'));
    expect(e.headers).toEqual([
      { name: 'content-type', value: 'text/plain;\tcharset=utf-8' },
      { name: 'X-Long', value: 'a  b c' },
    ]);
    expect(e.contentType?.params.charset).toBe('utf-8');
    expect(text(e.body)).toBe('body');
  });

  it('looks headers up case-insensitively', () => {
    const e = parseMimeEntity('CONTENT-id: <a>\ncontent-ID: <b>\n\n');
    expect(getHeader(e, 'Content-ID')).toBe('<a>');
    expect(getHeaders(e, 'content-id')).toEqual(['<a>', '<b>']);
    expect(getHeader(e, 'Content-Type')).toBeUndefined();
  });

  it('accepts LF, CRLF and mixed line ends alike', () => {
    const lf = parseMimeEntity(related('b', 'b'));
    const mixed = parseMimeEntity(related('b', 'b').replace(/\n/g, (_m, i: number) => (i % 2 ? '\r\n' : '\n')));
    const full = parseMimeEntity(crlf(related('b', 'b')));
    for (const e of [lf, mixed, full]) {
      expect(e.parts?.map((p) => text(p.body))).toEqual(['<x/>', 'second']);
      expect(getHeader(e.parts?.[0] ?? e, 'content-id')).toBe('<xml@example.org>');
    }
  });

  it('treats an entity starting with an empty line as having no headers', () => {
    const e = parseMimeEntity('\r\nContent-Type: text/plain\r\n');
    expect(e.headers).toEqual([]);
    expect(e.contentType).toBeNull();
    expect(text(e.body)).toBe('Content-Type: text/plain\r\n');
  });

  it('takes a whitespace-only line as the end of the header block', () => {
    const e = parseMimeEntity('Content-Type: text/plain \n   \nbody');
    expect(e.contentType?.essence).toBe('text/plain');
    expect(text(e.body)).toBe('body');
  });

  it('reads headers without an empty line as an entity with an empty body', () => {
    const e = parseMimeEntity('Content-Type: text/plain');
    expect(e.contentType?.essence).toBe('text/plain');
    expect(e.body.byteLength).toBe(0);
  });

  it('splits the header from the body at the first empty line only', () => {
    const e = parseMimeEntity('A: 1\n\nB: 2\n\nrest');
    expect(e.headers).toHaveLength(1);
    expect(text(e.body)).toBe('B: 2\n\nrest');
  });

  it.each([
    ['a line without a colon', 'Content-Type text/plain\n\n'],
    ['a continuation line first', ' folded: x\n\n'],
    ['an empty header name', ': value\n\n'],
    ['two Content-Type headers', 'Content-Type: text/plain\nContent-Type: text/html\n\n'],
    ['two Content-Transfer-Encoding headers', 'Content-Transfer-Encoding: 7bit\nContent-Transfer-Encoding: base64\n\n'],
    ['an unparsable Content-Type', 'Content-Type: garbage\n\n'],
  ])('refuses %s with CEM_MIME_MALFORMED', (_what, input) => {
    expect(code(() => parseMimeEntity(input))).toBe('CEM_MIME_MALFORMED');
  });
});

describe('parseMimeEntity: multipart', () => {
  it('accepts quoted and bare boundaries', () => {
    expect(parseMimeEntity(related('"--INNER-BOUNDARY"', '--INNER-BOUNDARY')).parts).toHaveLength(2);
    expect(parseMimeEntity(related('simple', 'simple')).parts).toHaveLength(2);
  });

  it('ignores the preamble and the epilogue', () => {
    const input = crlf(
      'Content-Type: multipart/mixed; boundary=zz\n\nThis is a preamble.\n--zz is not a delimiter here\n--zz\n\npart one\n--zz--\nepilogue\n--zz\nnot a part\n',
    );
    const e = parseMimeEntity(input);
    expect(e.parts?.map((p) => text(p.body))).toEqual(['part one']);
  });

  it('tolerates transport padding after boundary lines', () => {
    const e = parseMimeEntity('Content-Type: multipart/mixed; boundary=zz\n\n--zz \t\n\none\n--zz\t\n\ntwo\n--zz--  \n');
    expect(e.parts?.map((p) => text(p.body))).toEqual(['one', 'two']);
  });

  it('does not take a line that only starts with the boundary as a delimiter', () => {
    const e = parseMimeEntity('Content-Type: multipart/mixed; boundary=zz\n\n--zz\n\n--zzz\n--zz-x\n--zz--\n');
    expect(e.parts?.map((p) => text(p.body))).toEqual(['--zzz\n--zz-x']);
  });

  it('keeps the line break before a delimiter out of the part and keeps the others', () => {
    const e = parseMimeEntity('Content-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\n\r\nline1\r\n\r\n\r\n--zz--\r\n');
    expect(text(e.parts?.[0]?.body ?? new Uint8Array())).toBe('line1\r\n\r\n');
  });

  it('reads an empty part between adjacent delimiters', () => {
    const e = parseMimeEntity('Content-Type: multipart/mixed; boundary=zz\n\n--zz\n--zz\n\nx\n--zz--');
    expect(e.parts?.map((p) => text(p.body))).toEqual(['', 'x']);
  });

  it('reads nested multiparts (multipart/signed around multipart/related)', () => {
    const inner = crlf(related('"inner"', 'inner'));
    const outer = crlf(
      `Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="outer"\n\n--outer\n${inner}\n--outer\nContent-Type: application/pkcs7-signature\nContent-Transfer-Encoding: base64\n\nAAEC\n--outer--\n`,
    );
    const e = parseMimeEntity(outer);
    const rel = e.parts?.[0];
    expect(rel?.contentType?.essence).toBe('multipart/related');
    expect(rel?.parts?.map((p) => p.contentType?.essence)).toEqual(['application/ediint-cert-exchange+xml', 'text/plain']);
    expect([...(e.parts?.[1]?.body ?? [])]).toEqual([0, 1, 2]);
  });

  it('refuses a missing close delimiter with CEM_MIME_UNTERMINATED', () => {
    expect(code(() => parseMimeEntity('Content-Type: multipart/mixed; boundary=zz\n\n--zz\n\npart\n'))).toBe('CEM_MIME_UNTERMINATED');
    expect(code(() => parseMimeEntity(related('b', 'b').replace('--b--', '--b-')))).toBe('CEM_MIME_UNTERMINATED');
  });

  it('refuses an unterminated nested multipart with CEM_MIME_UNTERMINATED', () => {
    const input = 'Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: multipart/mixed; boundary=i\n\n--i\n\nx\n--o--\n';
    expect(code(() => parseMimeEntity(input))).toBe('CEM_MIME_UNTERMINATED');
  });

  it.each([
    ['no boundary parameter', 'Content-Type: multipart/mixed\n\n--zz\n\nx\n--zz--\n'],
    ['an empty boundary', 'Content-Type: multipart/mixed; boundary=""\n\n--\n\nx\n----\n'],
    ['no first delimiter', 'Content-Type: multipart/mixed; boundary=zz\n\nno parts at all\n'],
    ['a close delimiter before any part', 'Content-Type: multipart/mixed; boundary=zz\n\n--zz--\n'],
  ])('refuses %s with CEM_MIME_MALFORMED', (_what, input) => {
    expect(code(() => parseMimeEntity(input))).toBe('CEM_MIME_MALFORMED');
  });

  it('bounds nesting depth and part count with CEM_MIME_TOO_LARGE', () => {
    let nested = 'Content-Type: text/plain\n\nleaf';
    for (let i = 0; i < 10; i += 1) nested = `Content-Type: multipart/mixed; boundary=b${i}\n\n--b${i}\n${nested}\n--b${i}--`;
    expect(code(() => parseMimeEntity(nested))).toBe('CEM_MIME_TOO_LARGE');
    expect(parseMimeEntity(nested, { maxDepth: 10 }).parts).toHaveLength(1);
    const many = `Content-Type: multipart/mixed; boundary=m\n\n${'--m\n\nx\n'.repeat(20)}--m--\n`;
    expect(code(() => parseMimeEntity(many, { maxParts: 19 }))).toBe('CEM_MIME_TOO_LARGE');
    expect(parseMimeEntity(many, { maxParts: 20 }).parts).toHaveLength(20);
  });

  it('refuses input over maxBytes with CEM_MIME_TOO_LARGE', () => {
    expect(code(() => parseMimeEntity(new Uint8Array(101), { maxBytes: 100 }))).toBe('CEM_MIME_TOO_LARGE');
    expect(code(() => parseMimeEntity('x'.repeat(101), { maxBytes: 100 }))).toBe('CEM_MIME_TOO_LARGE');
    expect(code(() => parseMimeEntity('é'.repeat(60), { maxBytes: 100 }))).toBe('CEM_MIME_TOO_LARGE');
  });

  it('refuses a limit that is not a non-negative integer with CEM_ARGUMENT', () => {
    expect(code(() => parseMimeEntity('', { maxBytes: -1 }))).toBe('CEM_ARGUMENT');
    expect(code(() => parseMimeEntity('', { maxParts: 1.5 }))).toBe('CEM_ARGUMENT');
  });

  it('does not share memory with the caller input', () => {
    const input = new TextEncoder().encode('Content-Type: text/plain\n\nabc');
    const e = parseMimeEntity(input);
    input.fill(0x21);
    expect(text(e.body)).toBe('abc');
  });

  it('splits a large hostile body in linear time', () => {
    // Many near-miss delimiter lines and a boundary-sized prefix on every line.
    const line = `--${'a'.repeat(69)}b\n`;
    const body = line.repeat(100_000);
    const input = `Content-Type: multipart/mixed; boundary="${'a'.repeat(70)}"\n\n--${'a'.repeat(70)}\n\n${body}--${'a'.repeat(70)}--\n`;
    const started = performance.now();
    const e = parseMimeEntity(input);
    expect(e.parts).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe('parseMimeEntity: transfer encodings', () => {
  const leaf = (cte: string | null, body: string) =>
    parseMimeEntity(`Content-Type: application/octet-stream\n${cte === null ? '' : `Content-Transfer-Encoding: ${cte}\n`}\n${body}`);

  it('decodes base64 with whitespace and line breaks anywhere', () => {
    const e = leaf('base64', 'SGVs\r\nbG8s IHdv\tcmxk\n IQ==\r\n');
    expect(text(e.body)).toBe('Hello, world!');
    expect(text(e.rawBody)).toBe('SGVs\r\nbG8s IHdv\tcmxk\n IQ==\r\n');
  });

  it('decodes base64 without padding and reads the encoding name case-insensitively', () => {
    expect(text(leaf('BASE64', 'SGk').body)).toBe('Hi');
    expect(text(leaf(' Base64 (comment)', 'SGk=').body)).toBe('Hi');
  });

  it.each([
    ['an invalid character', 'SGV*bG8='],
    ['data after the padding', 'SGk=SGk='],
    ['a dangling character', 'SGVsb'],
  ])('refuses base64 with %s as CEM_MIME_ENCODING', (_what, body) => {
    expect(code(() => leaf('base64', body))).toBe('CEM_MIME_ENCODING');
  });

  it('decodes quoted-printable with soft breaks, escapes and trailing whitespace', () => {
    const e = leaf('quoted-printable', 'caf=C3=A9 =3d ok=\r\nnext  \r\nend=\nx = y=\n');
    expect(text(e.body)).toBe('café = oknext\r\nendx = y');
  });

  it('passes 7bit, 8bit, binary and absent encodings through', () => {
    const bytes = Uint8Array.from([0x30, 0x82, 0x00, 0xff, 0x0d, 0x0a, 0x0a]);
    for (const cte of ['7bit', '8bit', 'binary', 'Binary', null]) {
      const head = new TextEncoder().encode(`Content-Type: application/pkcs7-mime${cte ? `\r\nContent-Transfer-Encoding: ${cte}` : ''}\r\n\r\n`);
      const input = new Uint8Array(head.byteLength + bytes.byteLength);
      input.set(head);
      input.set(bytes, head.byteLength);
      expect([...parseMimeEntity(input).body]).toEqual([...bytes]);
    }
  });

  it('refuses an unknown transfer encoding with CEM_MIME_ENCODING', () => {
    expect(code(() => leaf('x-uuencode', 'begin 644'))).toBe('CEM_MIME_ENCODING');
  });
});
