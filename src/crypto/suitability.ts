/**
 * Is a certificate fit for a CEM usage? A returned list of named problems, never a throw for a
 * certificate condition (draft-14 §2.3 lets the receiver reject a certificate it cannot use).
 *
 * @module
 */
import { CemArgumentError } from '../errors.js';
import { isCertUsage, type CertUsage } from '../types.js';
import type { CertificateInfo, KeyUsageName } from './types.js';
import { quote } from '../quote.js';

/**
 * Why a certificate does not suit a usage.
 *
 * @example
 * ```ts
 * const blocking: SuitabilityProblemCode[] = ['expired', 'keyUsageMissing']
 * ```
 * @see draft-meadors-certificate-exchange-14 §3.1 (CertUsage)
 */
export type SuitabilityProblemCode =
  | 'keyUsageMissing'
  | 'extendedKeyUsageMissing'
  | 'keyAlgorithmUnsuitable'
  | 'notYetValid'
  | 'expired'
  | 'weakKey'
  | 'weakSignatureAlgorithm'
  | 'caCertificate';

/**
 * One problem; `usage` is set for the usage-specific codes (key usage, EKU, key algorithm).
 *
 * @example
 * ```ts
 * { code: 'keyUsageMissing', message: 'keyEncipherment needs keyUsage keyEncipherment; ...', usage: 'keyEncipherment' }
 * ```
 */
export interface SuitabilityProblem {
  readonly code: SuitabilityProblemCode;
  readonly message: string;
  readonly usage?: CertUsage;
}

/**
 * Thresholds of {@link checkCertificateSuitability}.
 *
 * @example
 * ```ts
 * checkCertificateSuitability(cert, 'digitalSignature', now, { minRsaBits: 3072 })
 * ```
 */
export interface SuitabilityOptions {
  /** Smallest acceptable RSA (and DSA) modulus in bits; 2048 by default. */
  readonly minRsaBits?: number;
  /** Smallest acceptable EC curve size in bits; 256 by default. */
  readonly minEcBits?: number;
}

const WEAK_HASHES = new Set(['md2', 'md4', 'md5', 'sha1']);
const SIGNING_KEYS = new Set(['RSA', 'RSA-PSS', 'EC', 'Ed25519', 'Ed448', 'DSA']);
const ENCRYPTION_KEYS = new Set(['RSA', 'EC']);

function problem(code: SuitabilityProblemCode, message: string, usage?: CertUsage): SuitabilityProblem {
  return Object.freeze(usage === undefined ? { code, message } : { code, message, usage });
}

function hasAny(cert: CertificateInfo, bits: readonly KeyUsageName[]): boolean {
  return !cert.keyUsagePresent || bits.some((bit) => cert.keyUsage.includes(bit));
}

function hasPurpose(cert: CertificateInfo, purpose: string): boolean {
  return !cert.extendedKeyUsagePresent || cert.extendedKeyUsage.some((p) => p === purpose || p === 'anyExtendedKeyUsage');
}

function usageProblems(cert: CertificateInfo, usage: CertUsage): SuitabilityProblem[] {
  const out: SuitabilityProblem[] = [];
  const keyUsage = (bits: readonly KeyUsageName[]): void => {
    if (!hasAny(cert, bits)) out.push(problem('keyUsageMissing', `${usage} needs keyUsage ${bits.join(' or ')}; the certificate has ${cert.keyUsage.join(', ') || 'none'}`, usage));
  };
  const keyKinds = usage === 'keyEncipherment' ? ENCRYPTION_KEYS : SIGNING_KEYS;
  if (!keyKinds.has(cert.keyAlgorithm)) {
    out.push(problem('keyAlgorithmUnsuitable', `a ${cert.keyAlgorithm} key cannot be used for ${usage}`, usage));
  }
  switch (usage) {
    case 'keyEncipherment':
      keyUsage(cert.keyAlgorithm === 'EC' ? ['keyAgreement', 'keyEncipherment'] : ['keyEncipherment']);
      break;
    case 'digitalSignature':
      keyUsage(['digitalSignature', 'nonRepudiation']);
      break;
    case 'tlsServer':
    case 'tlsClient': {
      keyUsage(['digitalSignature', 'keyEncipherment']);
      const purpose = usage === 'tlsServer' ? 'serverAuth' : 'clientAuth';
      if (!hasPurpose(cert, purpose)) {
        out.push(problem('extendedKeyUsageMissing', `${usage} needs extendedKeyUsage ${purpose}; the certificate has ${cert.extendedKeyUsage.join(', ')}`, usage));
      }
      break;
    }
    default:
      return assertNever(usage);
  }
  return out;
}

function assertNever(value: never): never {
  throw new CemArgumentError(`unknown CertUsage ${quote(value)}`);
}

function generalProblems(cert: CertificateInfo, now: Date, options: SuitabilityOptions): SuitabilityProblem[] {
  const out: SuitabilityProblem[] = [];
  if (now.getTime() < cert.notBefore.getTime()) out.push(problem('notYetValid', `the certificate is valid from ${cert.notBefore.toISOString()}`));
  if (now.getTime() > cert.notAfter.getTime()) out.push(problem('expired', `the certificate expired at ${cert.notAfter.toISOString()}`));
  const minRsa = options.minRsaBits ?? 2048;
  const minEc = options.minEcBits ?? 256;
  const size = cert.keySize;
  if (size !== null && ['RSA', 'RSA-PSS', 'DSA'].includes(cert.keyAlgorithm) && size < minRsa) {
    out.push(problem('weakKey', `the ${cert.keyAlgorithm} key has ${size} bits, fewer than ${minRsa}`));
  }
  if (size !== null && cert.keyAlgorithm === 'EC' && size < minEc) {
    out.push(problem('weakKey', `the EC key has ${size} bits, fewer than ${minEc}`));
  }
  if (cert.signatureHash !== null && WEAK_HASHES.has(cert.signatureHash)) {
    const whose = cert.selfSigned ? 'the self-signed certificate' : 'the certificate';
    out.push(problem('weakSignatureAlgorithm', `${whose} is signed with ${cert.signatureAlgorithm}`));
  }
  if (cert.isCA && !cert.selfSigned) out.push(problem('caCertificate', 'the certificate is a CA certificate, not an end-entity one'));
  return out;
}

function checkArguments(usages: readonly string[], now: Date): void {
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new CemArgumentError('now must be a valid Date');
  for (const usage of usages) if (!isCertUsage(usage)) throw new CemArgumentError(`unknown CertUsage ${quote(usage)}`);
}

/**
 * Problems that make `cert` unfit for `usage` at `now`; an empty list means suitable.
 *
 * Rules (absent keyUsage / extendedKeyUsage extensions mean unrestricted):
 * - `keyEncipherment`: keyUsage keyEncipherment (keyAgreement or keyEncipherment for EC keys);
 *   the key must be RSA or EC.
 * - `digitalSignature`: keyUsage digitalSignature or nonRepudiation; a signing key.
 * - `tlsServer` / `tlsClient`: keyUsage digitalSignature or keyEncipherment, and extendedKeyUsage
 *   serverAuth / clientAuth (or anyExtendedKeyUsage).
 * - `notYetValid` / `expired` against `now` (notAfter is inclusive).
 * - `weakKey`: RSA/DSA below `minRsaBits` (2048), EC below `minEcBits` (256).
 * - `weakSignatureAlgorithm`: the certificate's own signature uses MD2, MD4, MD5 or SHA-1 (also
 *   inside RSASSA-PSS), on issued and on self-signed certificates alike (self-signed certificates
 *   are the usual AS2 case, and a weak self-signature marks a certificate made with outdated
 *   tooling). The code is the same for both; a host that wants to treat them differently reads
 *   `cert.selfSigned` (the message also says "self-signed"). The lifecycle never auto-accepts a
 *   certificate with a problem: it is rejected, or left to the administrator with the setting
 *   `unsuitable: 'manual'`. Issuer certificates are not checked here.
 * - `caCertificate`: basicConstraints cA on a certificate that is not self-signed (self-signed AS2
 *   certificates made with `openssl req -x509` commonly say cA).
 *
 * @example
 * ```ts
 * const problems = checkCertificateSuitability(cert, 'keyEncipherment', now)
 * if (problems.length > 0) reject(problems.map((p) => p.message).join('; '))
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` only for an invalid `now` or an unknown usage string.
 * @see draft-meadors-certificate-exchange-14 §2.3, §3.1 (CertUsage); RFC 5280 §4.2.1.3, §4.2.1.12
 */
export function checkCertificateSuitability(
  cert: CertificateInfo,
  usage: CertUsage,
  now: Date,
  options: SuitabilityOptions = {},
): readonly SuitabilityProblem[] {
  return checkCertificateSuitabilityForUsages(cert, [usage], now, options);
}

/**
 * {@link checkCertificateSuitability} for several usages, merged: usage-specific problems once
 * per usage, the others (validity, key size, signature, CA) once.
 *
 * @example
 * ```ts
 * checkCertificateSuitabilityForUsages(cert, ['keyEncipherment', 'digitalSignature'], now, { minRsaBits: 3072 })
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` only for an invalid `now` or an unknown usage string.
 * @see draft-meadors-certificate-exchange-14 §3.1
 */
export function checkCertificateSuitabilityForUsages(
  cert: CertificateInfo,
  usages: readonly CertUsage[],
  now: Date,
  options: SuitabilityOptions = {},
): readonly SuitabilityProblem[] {
  checkArguments(usages, now);
  const distinct = [...new Set(usages)];
  return Object.freeze([...distinct.flatMap((usage) => usageProblems(cert, usage)), ...generalProblems(cert, now, options)]);
}
