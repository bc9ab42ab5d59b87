/**
 * Checks that each certificate of an issuer path is really issued by the next one: the issuer
 * certificate's name and key identifiers fit (`X509Certificate#checkIssued`) and its public key
 * verifies the signature (`X509Certificate#verify`). Names alone prove nothing: anyone can make
 * a certificate with the right subject and another key.
 *
 * @module
 */
import { X509Certificate } from 'node:crypto';
import type { CertificateInfo } from '../types.js';
import { clip } from '../../quote.js';
import { fail } from './fail.js';

function x509(cert: CertificateInfo): X509Certificate {
  try {
    return new X509Certificate(cert.der);
  } catch (cause) {
    return fail('CEM_CHAIN_INVALID', `the certificate ${clip(cert.subject, 120)} cannot be loaded to check its signature`, cause);
  }
}

function issuedBy(subject: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * Verifies `endEntity` against `chain[0]`, `chain[0]` against `chain[1]`, and so on (the chain
 * nearest first, as `splitCertificateBundle` orders it). The last certificate's own issuer is
 * not checked here (a self-signed top is verified when it is read).
 *
 * @throws CemCryptoError `CEM_CHAIN_INVALID` naming the first link that does not verify.
 */
export function verifyIssuerPath(endEntity: CertificateInfo, chain: readonly CertificateInfo[]): void {
  if (chain.length === 0) return;
  let subject = endEntity;
  let subjectX509 = x509(endEntity);
  for (const issuer of chain) {
    const issuerX509 = x509(issuer);
    if (!issuedBy(subjectX509, issuerX509)) {
      fail('CEM_CHAIN_INVALID', `${clip(subject.subject, 120)} is not signed by the key of ${clip(issuer.subject, 120)} (the chain certificate has the issuer's name but not its key, or the signature is broken)`);
    }
    subject = issuer;
    subjectX509 = issuerX509;
  }
}
