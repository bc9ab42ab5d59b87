/**
 * `ediint-cem/crypto`: X.509 inspection, distinguished-name matching by meaning, certs-only
 * PKCS#7, CMS signer/recipient identifiers and certificate suitability checks.
 *
 * @module
 */
export { readCertificate, readCertificates, certificateToPem } from './certificate.js';
export type { CertificateInfo, KeyUsageName, KeyAlgorithm } from './certificate.js';
export { parseDistinguishedName, formatDistinguishedName, distinguishedNamesEqual, issuerMatches } from './dn.js';
export type { DnAttribute, Rdn, DistinguishedNameInput } from './dn.js';
export { encodeCertsOnly, certsOnlyToPem, certsOnlyToBase64, decodeCertsOnly, splitCertificateBundle, readCertsOnly } from './certs-only.js';
export type { CertificateBundle, CertsOnlyBase64Options } from './certs-only.js';
export type { CertificateCountOptions } from './internal/limits.js';
export { getSignerIdentifiers, getRecipientIdentifiers, certificateMatchesIdentifier } from './cms.js';
export type { SignerId, RecipientId } from './cms.js';
export { checkCertificateSuitability, checkCertificateSuitabilityForUsages } from './suitability.js';
export type { SuitabilityProblem, SuitabilityProblemCode, SuitabilityOptions } from './suitability.js';
