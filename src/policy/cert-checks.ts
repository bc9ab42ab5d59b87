/**
 * Checks run on a certificate received in a CEM Request, named as they are stored on the inbound
 * item (`InboundItem.problems`), and the identifier matching used for Responses.
 *
 * @module
 */
import type { CertificateInfo } from '../crypto/certificate.js';
import { issuerMatches } from '../crypto/dn.js';
import { checkCertificateSuitabilityForUsages } from '../crypto/suitability.js';
import { freeze } from '../state/freeze.js';
import type { CemSettings } from '../state/model.js';
import type { CertUsage, IssuerSerial } from '../types.js';

/** Problems found on one received certificate. */
export interface ReceivedCertificateCheck {
  /** Stable problem codes (stored in `InboundItem.problems`). */
  readonly problems: readonly string[];
  /** Human-readable messages, one per problem found (a code may recur per usage); used as `ReasonForRejection`. */
  readonly messages: readonly string[];
}

/** Problem code: the Request's `CertificateIdentifier` does not name the attached certificate. */
export const IDENTIFIER_MISMATCH = 'identifierMismatch';

/** Problem code: the suitability check could not run on this certificate. */
export const UNREADABLE = 'unreadable';

/**
 * True when two decimal serial strings denote the same number (compared as BigInt).
 *
 * @example
 * ```ts
 * serialsEqual('0042', '42') // true
 * ```
 * @throws never: unparsable serials are unequal.
 */
export function serialsEqual(a: string, b: string): boolean {
  try {
    return BigInt(a.trim()) === BigInt(b.trim());
  } catch {
    return false;
  }
}

/**
 * True when a wire issuer/serial (as a peer wrote it) designates a certificate with `issuer`
 * and `serial`: serial by value, issuer by meaning (`issuerMatches`).
 *
 * @example
 * ```ts
 * identifierMatches({ issuer: 'cn=Acme CA, o=Acme', serial: '7' }, { issuer: 'CN=Acme CA,O=Acme', serial: '7' }) // true
 * ```
 * @throws never.
 * @see draft-14 §3.2 `CertificateReference`.
 */
export function identifierMatches(wire: IssuerSerial, cert: { readonly issuer: string; readonly serial: string }): boolean {
  if (!serialsEqual(wire.serial, cert.serial)) return false;
  try {
    return issuerMatches(wire.issuer, cert.issuer);
  } catch {
    return false;
  }
}

/**
 * Checks a received certificate: that the Request's identifier names it, and that it suits the
 * requested usages (key usage, extended key usage, validity, key size; see the crypto layer's
 * suitability check). Never throws: a check that cannot run is reported as `unreadable`.
 *
 * @example
 * ```ts
 * const check = checkReceivedCertificate(cert, ['digitalSignature'], { issuer, serial }, now, settings)
 * if (check.problems.length > 0) reject(check.messages.join('; '))
 * ```
 * @throws never.
 * @see draft-14 §2.3 (a certificate whose trust cannot be built MAY be rejected), §2.4.
 */
export function checkReceivedCertificate(
  cert: CertificateInfo,
  usages: readonly CertUsage[],
  wire: IssuerSerial,
  now: Date,
  settings: Pick<CemSettings, 'minRsaBits'>,
): ReceivedCertificateCheck {
  const problems: string[] = [];
  const messages: string[] = [];
  if (!identifierMatches(wire, cert)) {
    problems.push(IDENTIFIER_MISMATCH);
    messages.push(`CertificateIdentifier (issuer ${wire.issuer}, serial ${wire.serial}) does not match the attached certificate`);
  }
  try {
    for (const problem of checkCertificateSuitabilityForUsages(cert, usages, now, { minRsaBits: settings.minRsaBits })) {
      if (!problems.includes(problem.code)) problems.push(problem.code);
      messages.push(problem.message);
    }
  } catch {
    problems.push(UNREADABLE);
    messages.push('the certificate could not be checked');
  }
  return freeze({ problems: freeze(problems), messages: freeze(messages) });
}
