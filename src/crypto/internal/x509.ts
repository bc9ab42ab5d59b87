/**
 * Builds a frozen `CertificateInfo` from the DER of one certificate (RFC 5280 §4.1).
 *
 * Fields come from our own DER reader (fast, and it gives what `node:crypto` does not: RFC 4514
 * names, keyUsage bits, key identifiers, signature algorithm). `node:crypto`'s
 * `X509Certificate` is only built for self-issued certificates, to verify their signature.
 *
 * @module
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { CertificateInfo } from '../types.js';
import { formatDistinguishedName } from '../dn.js';
import { children, DerError, expectTag, rawBytes, readInteger, readSingle, readTime, type Tlv } from './der.js';
import { assertDer } from './der-strict.js';
import { rdnKeys, sameKeys } from './dn-compare.js';
import { readName } from './name.js';
import { checkAlgorithmIdentifier, readKeyFacts, readSignatureFacts } from './x509-algorithms.js';
import { readExtensions } from './x509-extensions.js';

/** Lowercase hex of a serial number's value (even length; `-` first when negative). */
export function serialToHex(serial: bigint): string {
  const magnitude = (serial < 0n ? -serial : serial).toString(16);
  return `${serial < 0n ? '-' : ''}${magnitude.length % 2 ? '0' : ''}${magnitude}`;
}

function verifiesWithOwnKey(der: Uint8Array): boolean {
  try {
    const x509 = new X509Certificate(der);
    return x509.verify(x509.publicKey);
  } catch {
    return false;
  }
}

interface TbsParts {
  readonly version: number;
  readonly serial: Tlv | undefined;
  readonly signature: Tlv | undefined;
  readonly issuer: Tlv | undefined;
  readonly validity: Tlv | undefined;
  readonly subject: Tlv | undefined;
  readonly spki: Tlv | undefined;
  readonly extensions: Tlv | undefined;
}

function splitTbs(tbs: Tlv): TbsParts {
  const fields = children(expectTag(tbs, 0x30, 'tbsCertificate'));
  const explicitVersion = fields[0]?.tag === 0xa0;
  const version = explicitVersion ? Number(readInteger(children(fields[0] as Tlv)[0], 'version')) + 1 : 1;
  const [serial, signature, issuer, validity, subject, spki, ...rest] = explicitVersion ? fields.slice(1) : fields;
  if (spki === undefined) throw new DerError('tbsCertificate lacks fields');
  // RFC 5280 §4.1: then only issuerUniqueID [1], subjectUniqueID [2], extensions [3], in that order
  let last = 0;
  for (const field of rest) {
    const order = field.tag === 0x81 ? 1 : field.tag === 0x82 ? 2 : field.tag === 0xa3 ? 3 : 0;
    if (order <= last) throw new DerError(`tbsCertificate has an unexpected field with tag 0x${field.tag.toString(16)}`);
    if (version < (order === 3 ? 3 : 2)) throw new DerError(`a version ${version} certificate cannot have the field with tag 0x${field.tag.toString(16)}`);
    if (order < 3) {
      // a unique identifier is an IMPLICIT BIT STRING: an unused-bits octet 0..7 first
      const unused = field.src[field.contentStart];
      if (unused === undefined || unused > 7 || (unused > 0 && field.contentEnd - field.contentStart === 1)) throw new DerError('a malformed unique identifier');
    }
    last = order;
  }
  return { version, serial, signature, issuer, validity, subject, spki, extensions: rest.find((t) => t.tag === 0xa3) };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * RFC 5280 §4.1.1.2, §4.1.2.3: the signature algorithm inside tbsCertificate must be the same
 * AlgorithmIdentifier as the outer one (compared as DER bytes), and the outer one well formed
 * (`checkAlgorithmIdentifier`). The signature value is a BIT STRING without unused bits.
 */
function checkSignatureFields(outer: Tlv | undefined, inner: Tlv | undefined, value: Tlv | undefined): void {
  const algorithm = expectTag(outer, 0x30, 'signature algorithm');
  expectTag(inner, 0x30, 'tbsCertificate signature algorithm');
  if (!sameBytes(rawBytes(algorithm), rawBytes(inner as Tlv))) {
    throw new DerError('the signature algorithm inside tbsCertificate differs from the outer one (RFC 5280 §4.1.1.2)');
  }
  checkAlgorithmIdentifier(algorithm);
  const bits = expectTag(value, 0x03, 'signature value');
  if (bits.contentEnd === bits.contentStart || bits.src[bits.contentStart] !== 0) {
    throw new DerError('the signature BIT STRING has unused bits');
  }
}

/** Parses one certificate; `der` must be a private copy (it ends up in the result). */
export function parseCertificateDer(der: Uint8Array): CertificateInfo {
  const root = readSingle(der);
  assertDer(root);
  const parts = children(expectTag(root, 0x30, 'certificate'));
  if (parts.length !== 3) throw new DerError(`certificate has ${parts.length} parts, expected 3`);
  const tbs = splitTbs(parts[0] as Tlv);
  checkSignatureFields(parts[1], tbs.signature, parts[2]);
  const serial = readInteger(tbs.serial, 'serial number');
  const [notBefore, notAfter] = children(expectTag(tbs.validity, 0x30, 'validity'));
  const subjectRdns = readName(tbs.subject, 'subject');
  const issuerRdns = readName(tbs.issuer, 'issuer');
  const extensions = readExtensions(tbs.extensions);
  const selfIssued = sameKeys(rdnKeys(subjectRdns), rdnKeys(issuerRdns));
  return Object.freeze({
    der,
    version: tbs.version,
    subject: formatDistinguishedName(subjectRdns),
    issuer: formatDistinguishedName(issuerRdns),
    subjectRdns,
    issuerRdns,
    serial: serial.toString(10),
    serialHex: serialToHex(serial),
    notBefore: readTime(notBefore, 'notBefore'),
    notAfter: readTime(notAfter, 'notAfter'),
    sha256: createHash('sha256').update(der).digest('hex'),
    sha1: createHash('sha1').update(der).digest('hex'),
    ...readKeyFacts(tbs.spki),
    ...readSignatureFacts(parts[1]),
    keyUsage: Object.freeze([...(extensions.keyUsage ?? [])]),
    keyUsagePresent: extensions.keyUsage !== null,
    extendedKeyUsage: Object.freeze([...(extensions.extendedKeyUsage ?? [])]),
    extendedKeyUsagePresent: extensions.extendedKeyUsage !== null,
    isCA: extensions.isCA,
    selfSigned: selfIssued && verifiesWithOwnKey(der),
    subjectKeyIdentifier: extensions.subjectKeyIdentifier,
    authorityKeyIdentifier: extensions.authorityKeyIdentifier,
  });
}
