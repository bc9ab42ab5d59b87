/**
 * Checks and orders the certificates a sender puts in one certs-only part (draft-14 §2.3).
 *
 * @module
 */
import { readCertificate, type CertificateInfo } from '../../../crypto/certificate.js';
import { splitCertificateBundle } from '../../../crypto/certs-only.js';
import { CemArgumentError, isCemError } from '../../../errors.js';
import type { CemCertificateBundle } from '../types.js';
import { clip } from '../../../quote.js';

/** The end-entity certificate of a bundle and its issuer path, nearest first. */
export interface OrderedBundle {
  readonly endEntity: CertificateInfo;
  readonly path: readonly CertificateInfo[];
}

/**
 * Reads a bundle and checks that it is exactly what one P7C must hold: `endEntity` is the one
 * end-entity certificate, every chain certificate is on its issuer path, and the path reaches a
 * self-signed certificate (or at least the end-entity's issuer when `allowIncompleteChain`).
 * A self-signed end-entity certificate needs no chain. Identical certificates count once.
 *
 * @throws CemArgumentError `CEM_ARGUMENT` for a bundle that breaks those rules.
 * @throws CemCryptoError `CEM_CERT_INVALID` for bytes that are not a certificate.
 */
export function orderBundle(bundle: CemCertificateBundle, allowIncompleteChain: boolean): OrderedBundle {
  const endEntity = readCertificate(bundle.endEntity);
  const chain = (bundle.chain ?? []).map((der) => readCertificate(der));
  let split;
  try {
    split = splitCertificateBundle([endEntity, ...chain]);
  } catch (cause) {
    if (!isCemError(cause, 'CEM_PKCS7_END_ENTITY')) throw cause;
    throw new CemArgumentError(`the bundle <${clip(bundle.contentId)}> does not hold exactly one end-entity certificate`, { cause });
  }
  if (split.endEntity.sha256 !== endEntity.sha256) {
    throw new CemArgumentError(`in the bundle <${clip(bundle.contentId)}>, ${clip(split.endEntity.subject)} is the end-entity certificate, not ${clip(endEntity.subject)}`);
  }
  if (split.unrelated.length > 0) {
    throw new CemArgumentError(`the bundle <${clip(bundle.contentId)}> holds certificates off the issuer path: ${clip(split.unrelated.map((c) => c.subject).join('; '))}`);
  }
  const top = split.chain.at(-1) ?? endEntity;
  if (!top.selfSigned) {
    if (split.chain.length === 0) {
      throw new CemArgumentError(`${clip(endEntity.subject)} is not self-signed and its issuer ${clip(endEntity.issuer)} is not in the chain`);
    }
    if (!allowIncompleteChain) {
      throw new CemArgumentError(`the chain of ${clip(endEntity.subject)} stops at ${clip(top.subject)}, which is not self-signed`);
    }
  }
  return { endEntity, path: split.chain };
}
