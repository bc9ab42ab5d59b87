import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CemError } from '../../src/errors.js';
import { serializeCemEntity } from '../../src/messages/entity/serialize.js';
import { buildCemRequestEntity } from '../../src/messages/entity/build-request.js';
import { isCemEntity, parseCemEntity } from '../../src/messages/entity/parse.js';
import { chainDers, makeParties, requestOf, trustRequest, type Parties } from '../fixtures/mime/cem-parties.js';

let parties: Parties;
let valid: Uint8Array;
beforeAll(() => {
  parties = makeParties();
  valid = serializeCemEntity(
    buildCemRequestEntity({
      request: requestOf([trustRequest(parties.signing, 'c1@acme.test')]),
      xmlContentId: 'xml@acme.test',
      certificates: [{ contentId: 'c1@acme.test', endEntity: parties.signing.der, chain: chainDers(parties, parties.signing).slice(1) }],
      transferEncoding: 'binary',
    }),
  );
});

function onlyCemErrors(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(CemError);
  }
}

describe('CEM entity properties', () => {
  it('random byte soup only ever throws a CemError, and isCemEntity never throws', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), fc.string({ maxLength: 80 }), (bytes, contentType) => {
        onlyCemErrors(() => parseCemEntity(bytes));
        onlyCemErrors(() => parseCemEntity({ contentType, body: bytes }));
        expect(typeof isCemEntity(contentType, bytes)).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });

  it('a valid entity with bytes flipped, cut or spliced only ever throws a CemError', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 8 }),
        fc.option(fc.nat()),
        (flips, cut) => {
          const bytes = valid.slice(0, cut === null ? valid.length : cut % (valid.length + 1));
          for (const { at, value } of flips) if (bytes.length > 0) bytes[at % bytes.length] = value;
          onlyCemErrors(() => parseCemEntity(bytes));
        },
      ),
      { numRuns: 400 },
    );
  });
});
