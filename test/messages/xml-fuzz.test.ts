import fc from 'fast-check';
import { describe, it } from 'vitest';
import { CemXmlError } from '../../src/errors.js';
import { parseCemDocument } from '../../src/messages/document-xml.js';
import { draftExample } from '../helpers/xsd.js';

/** Runs the parser and reports what happened: a result, a CemXmlError code, or anything else. */
function outcome(input: string | Uint8Array): string {
  try {
    parseCemDocument(input);
    return 'parsed';
  } catch (error) {
    if (error instanceof CemXmlError) return error.code;
    return `unexpected ${String(error)}`;
  }
}

const seeds = [draftExample('A.2-request.repaired.xml'), draftExample('A.3-response.repaired.xml')];

describe('parseCemDocument on damaged input', () => {
  it('either parses or throws a CemXmlError when characters are replaced, inserted or deleted', () => {
    const markup = fc.constantFrom('<', '>', '&', '"', "'", '/', '=', ':', ' ', '\n', '<!--', ']]>', '&#0;', '&lt;', 'xmlns:ds="urn:x"', '\u0000', '\uD800', 'é');
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.nat(), fc.nat({ max: 8 }), markup, (seed, at, removed, inserted) => {
        const cut = at % seed.length;
        const damaged = seed.slice(0, cut) + inserted + seed.slice(cut + removed);
        return !outcome(damaged).startsWith('unexpected');
      }),
      { numRuns: 2000 },
    );
  });

  it('either parses or throws a CemXmlError for arbitrary bytes after a valid prefix', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.nat(), fc.uint8Array({ maxLength: 64 }), (seed, at, noise) => {
        const bytes = Buffer.from(seed, 'utf8');
        const cut = at % bytes.length;
        const damaged = Buffer.concat([bytes.subarray(0, cut), noise, bytes.subarray(cut)]);
        return !outcome(damaged).startsWith('unexpected');
      }),
      { numRuns: 1000 },
    );
  });

  it('throws only CemXmlError for arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const result = outcome(text);
        return result !== 'parsed' && !result.startsWith('unexpected');
      }),
      { numRuns: 1000 },
    );
  });
});
