/**
 * The convenient way to write a CEM Request: give certificates and usages, get the Request and
 * its entity, with issuer and serial taken from the certificates (draft-14 §2.3, §3.1).
 *
 * @module
 */
import { readCertificate } from '../../crypto/certificate.js';
import { CemArgumentError } from '../../errors.js';
import type { CertUsage } from '../../types.js';
import type { CemDateTime, CemRequest, CemTradingPartner, CemTrustRequest } from '../model.js';
import { checkContentId } from '../mime/internal/content-id.js';
import { buildCemRequestEntity } from './build-request.js';
import type { BuildCemRequestInput, BuiltCemRequest, CemCertificateBundle, CemRequestItem } from './types.js';

interface Merged {
  usages: CertUsage[];
  respondBy: CemDateTime | null;
  responseUrl: string;
  contentId: string;
  endEntity: Uint8Array;
  chain: Uint8Array[];
}

function sender(value: CemTradingPartner | string): CemTradingPartner {
  return Object.freeze(typeof value === 'string' ? { name: value, qualifier: 'AS2' } : { name: value.name, qualifier: value.qualifier });
}

function mergeInto(target: Merged, item: CemRequestItem, respondBy: CemDateTime | null): void {
  if (item.responseUrl !== target.responseUrl) {
    throw new CemArgumentError('one certificate is given twice with different ResponseURLs');
  }
  if (respondBy && target.respondBy && respondBy.instant.getTime() !== target.respondBy.instant.getTime()) {
    throw new CemArgumentError('one certificate is given twice with different RespondByDates');
  }
  target.respondBy ??= respondBy;
  for (const usage of item.usages) if (!target.usages.includes(usage)) target.usages.push(usage);
  target.chain.push(...item.certificates.slice(1));
}

/** Items merged per end-entity certificate (draft-14 §2.3: one TrustRequest per certificate). */
function mergeItems(items: readonly CemRequestItem[]): Merged[] {
  if (!Array.isArray(items) || items.length === 0) throw new CemArgumentError('a CEM Request needs at least one item');
  const byFingerprint = new Map<string, Merged>();
  for (const item of items) {
    const [first, ...chain] = item.certificates ?? [];
    if (!first) throw new CemArgumentError('an item has no certificate');
    const fingerprint = readCertificate(first).sha256;
    const respondBy = item.respondBy ?? null;
    const existing = byFingerprint.get(fingerprint);
    if (existing) {
      mergeInto(existing, item, respondBy);
      continue;
    }
    const contentId = checkContentId(item.contentId);
    byFingerprint.set(fingerprint, { usages: [...item.usages], respondBy, responseUrl: item.responseUrl, contentId, endEntity: first, chain: [...chain] });
  }
  return [...byFingerprint.values()];
}

function trustRequestOf(merged: Merged): CemTrustRequest {
  const cert = readCertificate(merged.endEntity);
  return Object.freeze({
    usages: Object.freeze([...merged.usages]),
    respondBy: merged.respondBy,
    responseUrl: merged.responseUrl,
    certificate: Object.freeze({ issuer: cert.issuer, serial: cert.serial }),
    contentId: merged.contentId,
  });
}

/**
 * Writes a CEM Request from certificates: each item names the usages, `ResponseURL`, optional
 * `RespondByDate`, the DER certificates (end-entity first, then its chain) and the Content-ID of
 * its certs-only part. The issuer (RFC 4514, from the certificate) and the decimal serial are
 * taken from the end-entity certificate. Items for the same certificate are merged into one
 * TrustRequest with the union of their usages (draft-14 §2.3), provided their ResponseURL and
 * RespondByDate agree; the first item's Content-ID is kept.
 *
 * @example
 * ```ts
 * const { request, entity } = buildCemRequest({
 *   sender: 'ACME', requestId: ids.next(), originated: cemDateTime(now), xmlContentId: 'req-1@acme.example',
 *   items: [{ usages: ['digitalSignature', 'keyEncipherment'], respondBy: cemDateTime(in30Days), responseUrl: 'https://as2.acme.example/as2',
 *             certificates: [leaf.der, issuing.der, root.der], contentId: 'cert-1@acme.example' }],
 * });
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for no items, an item without certificates, merged
 *   items that disagree, and every refusal of `buildCemRequestEntity` and `serializeCemRequest`.
 * @throws CemCryptoError `CEM_CERT_INVALID` for bytes that are not a certificate.
 * @see draft-14 §2.3, §3.1
 */
export function buildCemRequest(input: BuildCemRequestInput): BuiltCemRequest {
  const merged = mergeItems(input.items);
  const request: CemRequest = Object.freeze({
    requestId: input.requestId,
    sender: sender(input.sender),
    originated: input.originated,
    trustRequests: Object.freeze(merged.map(trustRequestOf)),
  });
  const certificates: CemCertificateBundle[] = merged.map((m) => ({ contentId: m.contentId, endEntity: m.endEntity, chain: m.chain }));
  const entity = buildCemRequestEntity({
    request,
    certificates,
    xmlContentId: input.xmlContentId,
    transferEncoding: input.transferEncoding,
    start: input.start,
    allowIncompleteChain: input.allowIncompleteChain,
  });
  return Object.freeze({ request, entity });
}
