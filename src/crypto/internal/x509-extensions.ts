/**
 * Reads the certificate extensions the SDK needs: keyUsage, extendedKeyUsage, basicConstraints,
 * subjectKeyIdentifier and authorityKeyIdentifier (RFC 5280 §4.2.1).
 *
 * @module
 */
import type { KeyUsageName } from '../types.js';
import {
  children, contentBytes, DerError, expectTag, readBitString, readBoolean, readOid, readSingle, toHex, type Tlv,
} from './der.js';
import { EXTENDED_KEY_USAGES, KEY_USAGE_BITS } from './x509-oids.js';

/** The extension facts a `CertificateInfo` carries. */
export interface ExtensionFacts {
  readonly keyUsage: readonly KeyUsageName[] | null;
  readonly extendedKeyUsage: readonly string[] | null;
  readonly isCA: boolean;
  readonly subjectKeyIdentifier: string | null;
  readonly authorityKeyIdentifier: string | null;
}

function keyUsage(value: Tlv): KeyUsageName[] {
  const bits = readBitString(value, 'keyUsage');
  return KEY_USAGE_BITS.filter((_, n) => (((bits[n >> 3] ?? 0) >> (7 - (n & 7))) & 1) === 1);
}

function extendedKeyUsage(value: Tlv): string[] {
  return children(expectTag(value, 0x30, 'extendedKeyUsage')).map((tlv) => {
    const oid = readOid(tlv, 'extendedKeyUsage purpose');
    return EXTENDED_KEY_USAGES.get(oid) ?? oid;
  });
}

function isCA(value: Tlv): boolean {
  const first = children(expectTag(value, 0x30, 'basicConstraints'))[0];
  return first?.tag === 0x01 ? readBoolean(first, 'basicConstraints cA') : false;
}

function authorityKeyId(value: Tlv): string | null {
  const keyId = children(expectTag(value, 0x30, 'authorityKeyIdentifier')).find((c) => c.cls === 2 && c.num === 0);
  return keyId ? toHex(contentBytes(keyId)) : null;
}

/** Reads the `[3] EXPLICIT Extensions` element (or its absence). */
export function readExtensions(tagged: Tlv | undefined): ExtensionFacts {
  const facts: { -readonly [K in keyof ExtensionFacts]: ExtensionFacts[K] } = {
    keyUsage: null, extendedKeyUsage: null, isCA: false, subjectKeyIdentifier: null, authorityKeyIdentifier: null,
  };
  if (tagged === undefined) return facts;
  const seen = new Set<string>();
  const [list, extra] = children(tagged);
  if (extra !== undefined) throw new DerError('the extensions field holds more than one value');
  const extensions = children(expectTag(list, 0x30, 'extensions'));
  if (extensions.length === 0) throw new DerError('an empty extensions list (RFC 5280: SIZE (1..MAX))');
  for (const extension of extensions) {
    const parts = children(expectTag(extension, 0x30, 'extension'));
    const oid = readOid(parts[0], 'extension id');
    if (parts.length < 2 || parts.length > 3) throw new DerError(`extension ${oid} has ${parts.length} parts`);
    if (parts.length === 3) readBoolean(parts[1], `extension ${oid} critical`);
    if (seen.has(oid)) throw new DerError(`extension ${oid} appears twice`);
    seen.add(oid);
    const octets = expectTag(parts[parts.length - 1], 0x04, `extension ${oid} value`);
    const read = (): Tlv => readSingle(contentBytes(octets));
    switch (oid) {
      case '2.5.29.15': facts.keyUsage = keyUsage(read()); break;
      case '2.5.29.37': facts.extendedKeyUsage = extendedKeyUsage(read()); break;
      case '2.5.29.19': facts.isCA = isCA(read()); break;
      case '2.5.29.14': facts.subjectKeyIdentifier = toHex(contentBytes(expectTag(read(), 0x04, 'subjectKeyIdentifier'))); break;
      case '2.5.29.35': facts.authorityKeyIdentifier = authorityKeyId(read()); break;
      default: break;
    }
  }
  return facts;
}
