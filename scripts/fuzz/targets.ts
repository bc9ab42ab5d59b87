/**
 * The public parsers the fuzzer drives, with valid seed inputs made by the SDK's own builders and
 * by openssl (certificates, certs-only bundles, CMS signed and enveloped data).
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCertificate, readCertificates } from '../../src/crypto/certificate.js';
import { certsOnlyToPem, decodeCertsOnly, encodeCertsOnly, readCertsOnly } from '../../src/crypto/certs-only.js';
import { getRecipientIdentifiers, getSignerIdentifiers } from '../../src/crypto/cms.js';
import { issuerMatches, parseDistinguishedName } from '../../src/crypto/dn.js';
import { cemDateTime, parseCemDateTime } from '../../src/messages/datetime.js';
import { parseCemDocument } from '../../src/messages/document-xml.js';
import { buildCemRequest } from '../../src/messages/entity/build-request-items.js';
import { buildCemResponseEntity } from '../../src/messages/entity/build-response.js';
import { isCemEntity, parseCemEntity } from '../../src/messages/entity/parse.js';
import { serializeCemEntity } from '../../src/messages/entity/serialize.js';
import { advertisesCem, parseEdiintFeatures } from '../../src/messages/features.js';
import { parseMediaType } from '../../src/messages/mime/media-type.js';
import { parseMimeEntity } from '../../src/messages/mime/parse.js';
import { makeCert, makePki, openssl, tempDir } from '../../test/helpers/pki.js';

/** One parser under test: its name, valid seeds, and how to call it with mutated bytes. */
export interface FuzzTarget {
  readonly name: string;
  readonly seeds: readonly Uint8Array[];
  readonly run: (input: Uint8Array) => unknown;
}

const encoder = new TextEncoder();
const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
const utf8 = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const text = (...values: string[]): Uint8Array[] => values.map((v) => encoder.encode(v));

/** Builds the targets and their seeds (runs openssl a dozen times; a few seconds). */
export function makeTargets(): FuzzTarget[] {
  const pki = makePki('Fuzz');
  const leaf = pki.leaf({ keyFrom: pki.intermediate, serial: -5n });
  const ec = makeCert({ subject: '/C=DE/O=Fuzz & Söhne GmbH/CN=ec.fuzz.test', keyType: 'ec', utf8: true });
  const chain = [leaf.der, pki.intermediate.der, pki.root.der];
  const p7c = encodeCertsOnly(chain);
  const when = cemDateTime(new Date('2026-01-01T12:00:00Z'), { offsetMinutes: 330 });
  const built = buildCemRequest({
    sender: 'AT&T <Fuzz>', requestId: 'fuzz-1', originated: when, xmlContentId: 'xml@fuzz.test',
    items: [
      { usages: ['digitalSignature', 'keyEncipherment'], respondBy: when, responseUrl: 'https://as2.fuzz.test/as2?a=1&b=2', certificates: chain, contentId: 'c1@fuzz.test' },
      { usages: ['tlsServer'], responseUrl: 'https://as2.fuzz.test/as2', certificates: [ec.der], contentId: 'c2@fuzz.test' },
    ],
  });
  const binary = buildCemRequest({
    sender: 'B', requestId: 'fuzz-2', originated: when, xmlContentId: 'xml2@fuzz.test', transferEncoding: 'binary',
    items: [{ usages: ['keyEncipherment'], responseUrl: 'https://b.test/', certificates: chain, contentId: 'c3@fuzz.test' }],
  });
  const response = buildCemResponseEntity({
    xmlContentId: 'resp@fuzz.test',
    response: {
      requestId: 'fuzz-1', sender: { name: 'Partner', qualifier: 'AS2' }, originated: when,
      trustResponses: built.request.trustRequests.map((t, i) => ({ status: i === 0 ? 'Accepted' as const : 'Rejected' as const, reason: i === 0 ? null : 'weak & old', certificate: t.certificate })),
    },
  });
  const entities = [serializeCemEntity(built.entity), serializeCemEntity(binary.entity), serializeCemEntity(response)];
  const xmls = text(built.entity.xml, response.xml);
  const dir = tempDir('cem-fuzz-seeds-');
  writeFileSync(join(dir, 'data.txt'), 'hello');
  const signed = new Uint8Array(openssl(['cms', '-sign', '-in', join(dir, 'data.txt'), '-signer', leaf.certPath, '-inkey', leaf.keyPath, '-outform', 'DER', '-nodetach']));
  const enveloped = new Uint8Array(openssl(['cms', '-encrypt', '-in', join(dir, 'data.txt'), '-outform', 'DER', '-aes256', pki.root.certPath, ec.certPath]));

  return [
    { name: 'parseCemEntity', seeds: entities, run: (b) => parseCemEntity(b) },
    { name: 'isCemEntity', seeds: entities, run: (b) => isCemEntity('multipart/related; boundary="x"; type="application/ediint-cert-exchange+xml"', b) },
    { name: 'parseMimeEntity', seeds: entities, run: (b) => parseMimeEntity(b) },
    { name: 'parseCemDocument', seeds: xmls, run: (b) => parseCemDocument(b) },
    { name: 'decodeCertsOnly', seeds: [p7c, encoder.encode(certsOnlyToPem(chain))], run: (b) => decodeCertsOnly(b) },
    { name: 'readCertsOnly', seeds: [p7c], run: (b) => readCertsOnly(b) },
    { name: 'readCertificate', seeds: [leaf.der, ec.der, pki.root.der], run: (b) => readCertificate(b) },
    { name: 'readCertificates', seeds: [encoder.encode(leaf.pem + ec.pem), new Uint8Array([...leaf.der, ...pki.root.der])], run: (b) => readCertificates(b) },
    { name: 'getSignerIdentifiers', seeds: [signed], run: (b) => getSignerIdentifiers(b) },
    { name: 'getRecipientIdentifiers', seeds: [enveloped], run: (b) => getRecipientIdentifiers(b) },
    {
      name: 'parseDistinguishedName',
      seeds: text('CN=Acme\\, Inc.,O=Acme,C=US', 'E=a@b.test,CN=Cleo-SP,O=DGI,L=Ft. Worth,S=Texas,C=US', '1.2.3.4=#0403616263+CN=x', 'CN=\\E2\\82\\AC \\"q\\"', 'O=Procter & Gamble'),
      run: (b) => parseDistinguishedName(utf8(b)),
    },
    { name: 'issuerMatches', seeds: text('CN=Fuzz Issuing CA 1,OU=Issuing,O=Fuzz Trust,C=US', 'C=US,O=Fuzz Trust,CN=Fuzz Issuing CA 1'), run: (b) => issuerMatches(utf8(b), readCertificate(leaf.der)) },
    { name: 'parseCemDateTime', seeds: text('2025-01-31T12:00:00+01:00', '2025-01-31T12:00:00.123456Z', '2025-01-31T12:00:00', '-0001-12-31T23:59:59-14:00'), run: (b) => parseCemDateTime(latin1(b)) },
    { name: 'parseEdiintFeatures', seeds: text('multiple-attachments, CEM', 'AS2-Reliability,CEM,AS2-Restart', 'CMS'), run: (b) => [parseEdiintFeatures(latin1(b)), advertisesCem({ 'EDIINT-Features': latin1(b) })] },
    {
      name: 'parseMediaType',
      seeds: text('multipart/related; type="application/ediint-cert-exchange+xml"; boundary="b-1"; start="<x@y>"', 'application/pkcs7-mime; smime-type=certs-only; name="a.p7c"', "text/plain; charset*=utf-8''%E2%82%AC"),
      run: (b) => parseMediaType(latin1(b)),
    },
  ];
}
