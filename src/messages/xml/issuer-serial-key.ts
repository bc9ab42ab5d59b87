/**
 * Keys that identify a certificate named by issuer and serial "by meaning": the issuer as a
 * distinguished name (attribute types by OID, values normalised, RDN order ignored, as
 * `distinguishedNamesEqual`) and the serial by integer value. Two TrustRequests (or
 * TrustResponses) whose keys are equal name the same certificate however each was written.
 *
 * @module
 */
import { isCemError } from '../../errors.js';
import { rdnKeys } from '../../crypto/internal/dn-compare.js';
import { parseDn } from '../../crypto/internal/dn-parser.js';
import type { IssuerSerial } from '../../types.js';

/**
 * The value of an `xs:integer` lexical form (`^[+-]?[0-9]+$`) as canonical decimal: `+` and
 * leading zeros dropped, `-` kept unless the value is zero (`+0042` → `42`, `-007` → `-7`, `-0` → `0`). Equal strings ⟺ equal values.
 * Linear in the length (no BigInt conversion of a possibly huge value).
 *
 * @example
 * ```ts
 * serialValueText('+00486815') // '486815'
 * ```
 * @throws never (the caller has validated the form)
 */
export function serialValueText(serial: string): string {
  const negative = serial.startsWith('-');
  let i = negative || serial.startsWith('+') ? 1 : 0;
  while (i < serial.length - 1 && serial.charCodeAt(i) === 0x30) i++;
  const digits = serial.slice(i);
  return negative && digits !== '0' ? `-${digits}` : digits;
}

/** The issuer's meaning; an unparsable issuer stands for itself (exact text). */
function issuerKey(issuer: string): string {
  try {
    return `dn:${JSON.stringify(rdnKeys(parseDn(issuer)))}`;
  } catch (error) {
    if (isCemError(error, 'CEM_DN_INVALID')) return `text:${issuer}`;
    throw error;
  }
}

/**
 * A key equal for two issuer/serial pairs exactly when the issuers are equal distinguished
 * names and the serials equal integers.
 *
 * @example
 * ```ts
 * issuerSerialMeaningKey({ issuer: 'O=Test,CN=pnew', serial: '0042' }) ===
 *   issuerSerialMeaningKey({ issuer: 'CN=pnew, O=Test', serial: '42' }) // true
 * ```
 * @throws never for string fields
 */
export function issuerSerialMeaningKey(certificate: IssuerSerial): string {
  return `${issuerKey(certificate.issuer)}\u0000${serialValueText(certificate.serial)}`;
}
