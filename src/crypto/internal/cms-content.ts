/**
 * Opens a CMS `ContentInfo` (RFC 5652 §3) and returns the inner content of an expected type.
 *
 * @module
 */
import { children, DerError, expectTag, readOid, readSingle, type Tlv } from './der.js';

/** Content type OIDs (RFC 5652 §5, §6; RFC 5083). */
export const CONTENT_TYPES = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  authEnvelopedData: '1.2.840.113549.1.9.16.1.23',
} as const;

/** The content's type OID and its SEQUENCE. */
export interface OpenedContent {
  readonly contentType: string;
  readonly content: Tlv;
}

/** Reads a ContentInfo and checks that its type is one of `accepted`. */
export function openContentInfo(bytes: Uint8Array, accepted: readonly string[]): OpenedContent {
  const [typeTlv, explicit] = children(expectTag(readSingle(bytes), 0x30, 'ContentInfo'));
  const contentType = readOid(typeTlv, 'content type');
  if (!accepted.includes(contentType)) throw new DerError(`content type ${contentType} is not ${accepted.join(' or ')}`);
  const content = expectTag(children(expectTag(explicit, 0xa0, 'content'))[0], 0x30, 'content');
  return { contentType, content };
}

/** The named parts of a SignedData (RFC 5652 §5.1). */
export interface SignedDataParts {
  readonly certificates: Tlv | undefined;
  readonly signerInfos: Tlv;
}

/** Splits a SignedData SEQUENCE into its certificates and signerInfos. */
export function splitSignedData(signedData: Tlv): SignedDataParts {
  const fields = children(signedData);
  expectTag(fields[0], 0x02, 'SignedData version');
  expectTag(fields[1], 0x31, 'SignedData digestAlgorithms');
  expectTag(fields[2], 0x30, 'SignedData encapContentInfo');
  const optional = fields.slice(3, -1);
  const certificates = optional.find((t) => t.cls === 2 && t.num === 0 && t.constructed);
  return { certificates, signerInfos: expectTag(fields[fields.length - 1], 0x31, 'SignedData signerInfos') };
}
