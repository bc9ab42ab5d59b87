/**
 * `observeTraffic`: what the AS2 layer saw on one partner message (which of our certificates
 * decrypted it, which partner certificate verified it, which certificates TLS presented), given
 * as fingerprints, certificates or the raw CMS structures.
 *
 * @module
 */
import { readCertificate, type CertificateInfo } from '../crypto/certificate.js';
import { certificateMatchesIdentifier, getRecipientIdentifiers, getSignerIdentifiers, type RecipientId } from '../crypto/cms.js';
import { CemArgumentError, isCemError } from '../errors.js';
import { normalizeFingerprint } from '../state/relationship/cert-ref.js';
import type { CemEvent } from '../state/events.js';
import { getRelationship } from '../state/lookup.js';
import type { CertSlot, CemState } from '../state/model.js';
import type { EngineContext } from './context.js';
import { isFingerprint } from './headers.js';
import { loadMaterial, materialInfo, type CertificateSource } from './material.js';
import { runOperation } from './run.js';
import type { CemOperationResult, TrafficInput } from './types.js';

function slotFingerprints(slot: CertSlot): string[] {
  return [...slot.active.map((a) => a.cert.fingerprint), ...(slot.successor === null ? [] : [slot.successor.cert.fingerprint]), ...slot.archive.map((a) => a.cert.fingerprint)];
}

function asCertificate(source: CertificateSource): CertificateInfo | null {
  try {
    return readCertificate(source);
  } catch (error) {
    if (isCemError(error, 'CEM_CERT_INVALID')) return null;
    throw error;
  }
}

async function identify(ctx: EngineContext, source: CertificateSource | undefined, candidates: readonly string[], cms: ((s: CertificateSource) => RecipientId[]) | null): Promise<string | undefined> {
  if (source === undefined) return undefined;
  if (isFingerprint(source)) return normalizeFingerprint(source.trim());
  const cert = asCertificate(source);
  if (cert !== null) return normalizeFingerprint(cert.sha256);
  if (cms === null) throw new CemArgumentError('expected a fingerprint or a certificate');
  const ids = cms(source);
  for (const fingerprint of candidates) {
    const info = materialInfo(await loadMaterial(ctx.ports.store, fingerprint));
    if (ids.some((id) => certificateMatchesIdentifier(info, id))) return fingerprint;
  }
  return undefined;
}

/**
 * Reports one observation of a partner's traffic. Raw CMS is matched against the relationship's
 * certificates of that usage (active, successor, archived) by issuer and serial or subject key
 * identifier; a CMS naming none of them observes nothing for that field.
 *
 * @example
 * ```ts
 * await observeTraffic(ctx, { relationshipId: 'acme', decryptedWith: envelopedDataDer, verifiedWith: signatureDer })
 * ```
 * @throws CemCryptoError `CEM_CMS_INVALID` for raw bytes that are neither a certificate nor the
 *   expected CMS structure; `CEM_ARGUMENT` for TLS fields that are not certificates; engine codes.
 */
export async function observeTraffic(ctx: EngineContext, input: TrafficInput): Promise<CemOperationResult> {
  const plan = async (state: CemState): Promise<{ events: CemEvent[] }> => {
    const rel = getRelationship(state, input.relationshipId);
    const local = rel === undefined ? [] : slotFingerprints(rel.local.encryption);
    const partner = rel === undefined ? [] : slotFingerprints(rel.partner.signing);
    const decryptedWith = await identify(ctx, input.decryptedWith, local, getRecipientIdentifiers);
    const verifiedWith = await identify(ctx, input.verifiedWith, partner, getSignerIdentifiers);
    const partnerTlsServer = await identify(ctx, input.partnerTlsServer, [], null);
    const partnerTlsClient = await identify(ctx, input.partnerTlsClient, [], null);
    const event: CemEvent = {
      type: 'trafficObserved',
      relationshipId: input.relationshipId,
      ...(decryptedWith === undefined ? {} : { decryptedWith }),
      ...(verifiedWith === undefined ? {} : { verifiedWith }),
      ...(partnerTlsServer === undefined ? {} : { partnerTlsServer }),
      ...(partnerTlsClient === undefined ? {} : { partnerTlsClient }),
    };
    return { events: [event] };
  };
  return (await runOperation(ctx, { kind: 'relationship', id: input.relationshipId, listener: false }, plan)).result;
}
