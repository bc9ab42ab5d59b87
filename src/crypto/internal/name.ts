/**
 * Reads an X.501 `Name` (RDNSequence) from BER into RDNs in RFC 4514 order.
 *
 * The RDN sequence is reversed (RFC 4514 §2.1) and so are the attributes inside a multi-valued
 * RDN, which makes the formatted string equal to openssl's `-nameopt RFC2253` output.
 *
 * @module
 */
import type { DnAttribute, Rdn } from '../dn.js';
import { children, DerError, expectTag, readOid, type Tlv } from './der.js';
import { attributeFromBer } from './dn-value.js';

/** Reads a Name; throws `DerError` on a malformed one. */
export function readName(tlv: Tlv | undefined, what = 'name'): readonly Rdn[] {
  const rdns: Rdn[] = children(expectTag(tlv, 0x30, what)).map((set) => {
    const attributes: DnAttribute[] = children(expectTag(set, 0x31, `${what} RDN`)).map((ava) => {
      const [type, value, extra] = children(expectTag(ava, 0x30, `${what} attribute`));
      if (value === undefined || extra !== undefined) throw new DerError(`${what}: malformed attribute`);
      return attributeFromBer(readOid(type, `${what} attribute type`), undefined, value);
    });
    if (attributes.length === 0) throw new DerError(`${what}: empty RDN`);
    return Object.freeze(attributes.reverse());
  });
  return Object.freeze(rdns.reverse());
}
