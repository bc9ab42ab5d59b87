/**
 * Builds the entity of a CEM Request: the XML and one certs-only part per end-entity
 * certificate (draft-14 §2.1, §2.3).
 *
 * @module
 */
import type { CertificateInfo } from '../../crypto/certificate.js';
import { encodeCertsOnly } from '../../crypto/certs-only.js';
import { issuerMatches } from '../../crypto/dn.js';
import { CemArgumentError } from '../../errors.js';
import { normalizeCemContentId } from '../content-id.js';
import type { CemTrustRequest } from '../model.js';
import { serializeCemRequest } from '../request-xml.js';
import { assembleCemEntity, certsOnlyPart } from './internal/assemble.js';
import { orderBundle } from './internal/chain.js';
import type { CemCertificateBundle, CemEntity, CemRequestEntityInput } from './types.js';
import { clip } from '../../quote.js';

function bundlesById(bundles: readonly CemCertificateBundle[]): Map<string, CemCertificateBundle> {
  if (!Array.isArray(bundles)) throw new CemArgumentError('certificates must be an array of bundles');
  const map = new Map<string, CemCertificateBundle>();
  for (const bundle of bundles) {
    const key = normalizeCemContentId(String(bundle?.contentId ?? '')).toLowerCase();
    if (map.has(key)) throw new CemArgumentError(`two certificate bundles have the Content-ID <${clip(key)}>`);
    map.set(key, bundle);
  }
  return map;
}

function checkIdentifier(trust: CemTrustRequest, endEntity: CertificateInfo): void {
  const { issuer, serial } = trust.certificate;
  if (BigInt(serial) !== BigInt(endEntity.serial)) {
    throw new CemArgumentError(`the TrustRequest <${clip(trust.contentId)}> names serial ${clip(serial)}, its certificate has ${endEntity.serial}`);
  }
  if (!issuerMatches(issuer, endEntity)) {
    throw new CemArgumentError(`the TrustRequest <${clip(trust.contentId)}> names issuer ${issuer}, its certificate has ${endEntity.issuer}`);
  }
}

/**
 * Builds a CEM Request entity: `multipart/related; type="application/ediint-cert-exchange+xml"`,
 * the XML first (the root; `start` only when asked), then one
 * `application/pkcs7-mime; smime-type=certs-only` part per TrustRequest, in document order, each
 * holding exactly that end-entity certificate and its chain (encoded like
 * `openssl crl2pkcs7 -nocrl`), with the TrustRequest's Content-ID and
 * `Content-Disposition: attachment; filename="cert-N.p7c"`. Every part is base64 unless
 * `transferEncoding: 'binary'`.
 *
 * Refused: a bundle whose end-entity issuer (by meaning) or serial (by value) differs from its
 * TrustRequest; a non-self-signed end-entity without its issuer in the chain, or a chain that
 * does not reach a self-signed certificate unless `allowIncompleteChain` (draft-14 §2.3); chain
 * certificates off the issuer path; the same certificate in two TrustRequests (draft-14 §2.3 wants
 * one TrustRequest with several usages: `buildCemRequest` merges them); bundles and
 * TrustRequests that do not pair up one to one by Content-ID; duplicate or malformed Content-IDs.
 *
 * @example
 * ```ts
 * const entity = buildCemRequestEntity({
 *   request, xmlContentId: 'req-1@acme.example',
 *   certificates: [{ contentId: 'cert-1@acme.example', endEntity: leaf.der, chain: [issuing.der, root.der] }],
 * });
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for each refusal above and for an invalid Request (see
 *   `serializeCemRequest`).
 * @throws CemCryptoError `CEM_CERT_INVALID` for bytes that are not a certificate.
 * @see draft-14 §2.1, §2.3, §3.1; RFC 2387; RFC 8551 §3.6
 */
export function buildCemRequestEntity(input: CemRequestEntityInput): CemEntity {
  const xml = serializeCemRequest(input.request);
  const bundles = bundlesById(input.certificates);
  const trustRequests = input.request.trustRequests;
  if (bundles.size !== trustRequests.length) {
    throw new CemArgumentError(`${trustRequests.length} TrustRequest(s) but ${bundles.size} certificate bundle(s)`);
  }
  const seen = new Set<string>();
  const parts = trustRequests.map((trust, index) => {
    const bundle = bundles.get(trust.contentId.toLowerCase());
    if (!bundle) throw new CemArgumentError(`no certificate bundle has the Content-ID <${clip(trust.contentId)}>`);
    const { endEntity, path } = orderBundle(bundle, input.allowIncompleteChain === true);
    checkIdentifier(trust, endEntity);
    if (seen.has(endEntity.sha256)) {
      throw new CemArgumentError(`${clip(endEntity.subject)} appears in two TrustRequests; list its usages in one`);
    }
    seen.add(endEntity.sha256);
    const p7c = encodeCertsOnly([endEntity.der, ...path.map((c) => c.der)]);
    return certsOnlyPart(p7c, trust.contentId, index, input);
  });
  return assembleCemEntity(xml, parts, input);
}
