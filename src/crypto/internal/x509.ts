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
import type { CertificateInfo } from '../certificate.js';
import { formatDistinguishedName } from '../dn.js';
import { children, DerError, expectTag, readInteger, readSingle, readTime, type Tlv } from './der.js';
import { rdnKeys, sameKeys } from './dn-compare.js';
import { readName } from './name.js';
import { readKeyFacts, readSignatureFacts } from './x509-algorithms.js';
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
  const [serial, , issuer, validity, subject, spki, ...rest] = explicitVersion ? fields.slice(1) : fields;
  return { version, serial, issuer, validity, subject, spki, extensions: rest.find((t) => t.tag === 0xa3) };
}

/** Parses one certificate; `der` must be a private copy (it ends up in the result). */
export function parseCertificateDer(der: Uint8Array): CertificateInfo {
  const parts = children(expectTag(readSingle(der), 0x30, 'certificate'));
  if (parts.length !== 3) throw new DerError(`certificate has ${parts.length} parts, expected 3`);
  expectTag(parts[2], 0x03, 'signature value');
  const tbs = splitTbs(parts[0] as Tlv);
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
