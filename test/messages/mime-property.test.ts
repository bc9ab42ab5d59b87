import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CemError } from '../../src/errors.js';
import { buildMimeEntity, buildMultipartRelated, serializeMimeEntity } from '../../src/messages/mime/build.js';
import { parseMimeEntity } from '../../src/messages/mime/parse.js';

const encodings = fc.constantFrom('base64', 'binary', '8bit', undefined);

describe('MIME properties', () => {
  it('random binary parts survive build → serialize → parse', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ body: fc.uint8Array({ maxLength: 600 }), cte: encodings }), { minLength: 1, maxLength: 5 }),
        (specs) => {
          const parts = specs.map((s, i) =>
            buildMimeEntity({
              contentType: 'application/octet-stream',
              body: s.body,
              ...(s.cte === undefined ? {} : { transferEncoding: s.cte }),
              contentId: `p${i}@example.org`,
            }),
          );
          const bytes = serializeMimeEntity(buildMultipartRelated({ type: 'application/octet-stream', parts }));
          const parsed = parseMimeEntity(bytes);
          expect(parsed.parts?.map((p) => [...p.body])).toEqual(specs.map((s) => [...s.body]));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('bodies made of boundary-like lines survive too', () => {
    const line = fc.constantFrom('--', '--=_cem_', '\r\n', '\n', '--x--', ' ', 'Content-Type: a/b', '\r\n\r\n');
    fc.assert(
      fc.property(fc.array(fc.array(line, { maxLength: 20 }).map((a) => a.join('')), { minLength: 1, maxLength: 4 }), (bodies) => {
        const parts = bodies.map((b) => buildMimeEntity({ contentType: 'text/plain', body: b }));
        const parsed = parseMimeEntity(serializeMimeEntity(buildMultipartRelated({ type: 'text/plain', parts })));
        expect(parsed.parts?.map((p) => new TextDecoder().decode(p.body))).toEqual(bodies);
      }),
    );
  });

  it('arbitrary byte soup only ever throws a CemError, and terminates', () => {
    const mimeish = fc.constantFrom(
      'Content-Type: multipart/related; boundary=b\r\n',
      'Content-Type: multipart/mixed; boundary="b"\n',
      'Content-Transfer-Encoding: base64\n',
      'Content-Transfer-Encoding: quoted-printable\n',
      'Content-Type: text/plain; a*0*=utf-8\'\'%ZZ; a*1=x\n',
      '\r\n',
      '\n',
      '--b\r\n',
      '--b--\n',
      ' folded\n',
      '=\n',
      '"',
      '(',
      'QUJD',
    );
    const soup = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      fc.array(fc.oneof(mimeish, fc.string({ maxLength: 8 })), { maxLength: 40 }).map((a) => new TextEncoder().encode(a.join(''))),
    );
    fc.assert(
      fc.property(soup, (bytes) => {
        try {
          parseMimeEntity(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(CemError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
