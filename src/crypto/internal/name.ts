/**
 * Reads an X.501 `Name` (RDNSequence) from BER into RDNs in RFC 4514 order.
 *
 * The RDN sequence is reversed (RFC 4514 §2.1) and so are the attributes inside a multi-valued
 * RDN, which makes the formatted string equal to openssl's `-nameopt RFC2253` output.
 *
 * @module
 */
import type { DnAttribute, Rdn } from '../types.js';
import { children, DerError, expectTag, readOid, type Tlv } from './der.js';
import { attributeFromBer } from './dn-value.js';

/**
 * Character string types a certificate name value may have: UTF8String, NumericString,
 * PrintableString, TeletexString, IA5String, UniversalString, BMPString (what openssl reads in a
 * name; it refuses VisibleString, GeneralString and the rest).
 */
const NAME_STRING_TAGS = new Set([12, 18, 19, 20, 22, 28, 30]);

/**
 * A name value must be one of the string types above, decodable, or a SEQUENCE (a structured
 * value, shown as `#hex`); BIT STRING, OCTET STRING, INTEGER, NULL, OBJECT IDENTIFIER, times or
 * tagged values are refused (RFC 5280 §4.1.2.4, Appendix A: DirectoryString and friends).
 */
function checkValueType(value: Tlv, binary: boolean, what: string): void {
  if (value.tag === 0x30) return;
  if (value.cls !== 0 || !NAME_STRING_TAGS.has(value.num) || value.constructed) {
    throw new DerError(`${what}: an attribute value with tag 0x${value.tag.toString(16)} is not a character string`);
  }
  if (binary) throw new DerError(`${what}: an attribute value is not valid for its string type`);
}

/** Reads a Name; throws `DerError` on a malformed one. */
export function readName(tlv: Tlv | undefined, what = 'name'): readonly Rdn[] {
  const rdns: Rdn[] = children(expectTag(tlv, 0x30, what)).map((set) => {
    const attributes: DnAttribute[] = children(expectTag(set, 0x31, `${what} RDN`)).map((ava) => {
      const [type, value, extra] = children(expectTag(ava, 0x30, `${what} attribute`));
      if (value === undefined || extra !== undefined) throw new DerError(`${what}: malformed attribute`);
      const attribute = attributeFromBer(readOid(type, `${what} attribute type`), undefined, value);
      checkValueType(value, attribute.binary, what);
      return attribute;
    });
    if (attributes.length === 0) throw new DerError(`${what}: empty RDN`);
    return Object.freeze(attributes.reverse());
  });
  return Object.freeze(rdns.reverse());
}
