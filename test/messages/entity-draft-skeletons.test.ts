import { beforeAll, describe, expect, it } from 'vitest';
import { parseCemEntity } from '../../src/messages/entity/parse.js';
import { serializeCemResponse } from '../../src/messages/response-xml.js';
import { materialiseSkeleton } from '../fixtures/mime/materialise.js';
import { makeParties, p7cOf, requestOf, requestXml, responseOf, trustRequest, type Parties } from '../fixtures/mime/cem-parties.js';

let parties: Parties;
beforeAll(() => {
  parties = makeParties();
});

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64').replace(/.{64}/g, '$&\n');

describe('the draft §2.1 skeletons with real XML and a real certs-only part', () => {
  it('parses the Request skeleton, the certificate written as base64 without a CTE header', () => {
    const xml = requestXml([trustRequest(parties.signing, '20040101-2.alpha@example.org')]);
    const mime = materialiseSkeleton('sec2.1-request-mime.as-published.txt', {
      '[CEM XML data]': xml,
      '[digital certificate]': b64(p7cOf(parties, parties.signing)),
      '[Digital Signature]': 'MIAGCSqGSIb3DQEHAqCAMIACAQEx',
    });
    const parsed = parseCemEntity(mime);
    if (parsed.kind !== 'request') throw new Error('expected a request');
    // The skeleton is literal MIME with CRLF line ends, the XML lines included.
    expect(parsed.xml).toBe(xml.replace(/\n/g, '\r\n'));
    expect(parsed.certificates).toHaveLength(1);
    expect(parsed.certificates[0]?.contentId).toBe('20040101-2.alpha@example.org');
    expect(parsed.certificates[0]?.endEntity.serial).toBe(parties.signing.serial);
  });

  it('parses the Response skeleton', () => {
    const response = responseOf(requestOf([trustRequest(parties.signing, 'c1@acme.test')]));
    const mime = materialiseSkeleton('sec2.1-response-mime.as-published.txt', {
      '[CEM XML data]': serializeCemResponse(response),
      '[Digital Signature]': 'MIAGCSqGSIb3DQEHAqCAMIACAQEx',
    });
    const parsed = parseCemEntity(mime);
    expect(parsed.kind).toBe('response');
    if (parsed.kind === 'response') expect(parsed.response.requestId).toBe(response.requestId);
  });

  it('refuses the Request skeleton when its Content-ID does not match the XML', () => {
    const xml = requestXml([trustRequest(parties.signing, '20040101-3.alpha@example.org')]);
    const mime = materialiseSkeleton('sec2.1-request-mime.as-published.txt', {
      '[CEM XML data]': xml,
      '[digital certificate]': b64(p7cOf(parties, parties.signing)),
      '[Digital Signature]': 'MIAG',
    });
    expect(() => parseCemEntity(mime)).toThrow(expect.objectContaining({ code: 'CEM_MIME_UNRESOLVED_CONTENT_ID' }));
  });
});
