/**
 * `resolve` and `status`: read-only queries. `resolve` is the AS2 hot path: it reads one
 * relationship and its listener's server slot (not the whole state) and caches material, which
 * never changes for a fingerprint.
 *
 * @module
 */
import type { CemStore } from '../ports/store.js';
import { resolveCertificates } from '../policy/resolution.js';
import type { CemState, CertRef, Relationship, ServerSlot } from '../state/model.js';
import { freezeState } from '../state/freeze.js';
import { certificateStatuses, relationshipStatus } from '../state/status.js';
import { storeCall, type EngineContext } from './context.js';
import { keys } from './keys.js';
import { loadMaterial, type CertificateMaterial } from './material.js';
import { clockNow } from './port-calls.js';
import { loadSnapshot } from './snapshot.js';
import type { ResolvedCertificate, ResolvedMaterial, StatusEntry } from './types.js';

/** A cache of material by fingerprint (material is immutable). */
export type MaterialCache = Map<string, CertificateMaterial>;

async function withMaterial(store: CemStore, cache: MaterialCache, cert: CertRef): Promise<ResolvedCertificate> {
  let material = cache.get(cert.fingerprint);
  if (material === undefined) {
    material = await loadMaterial(store, cert.fingerprint);
    if (cache.size > 1000) cache.clear();
    cache.set(cert.fingerprint, material);
  }
  return Object.freeze({ ...cert, der: material.der.slice(), chain: Object.freeze(material.chain.map((c) => c.slice())) });
}

/**
 * The certificates of one relationship now, with DER, chain and key references, or `null` for an
 * unknown relationship.
 *
 * @example
 * ```ts
 * const r = await resolve(ctx, cache, 'acme')
 * as2.sign(message, r.signOutbound.der, keys.get(r.signOutbound.keyRef))
 * ```
 * @throws CemEngineError `CEM_PORT_FAILED` when the store or the clock fails; `CEM_NOT_FOUND` when material is missing.
 */
export async function resolve(ctx: EngineContext, cache: MaterialCache, relationshipId: string): Promise<ResolvedMaterial | null> {
  const { store } = ctx.ports;
  const relRecord = await storeCall(() => store.get(keys.relationship(relationshipId)));
  if (relRecord === undefined) return null;
  const rel = relRecord.value as unknown as Relationship;
  const serverRecord = rel.listener === null ? undefined : await storeCall(() => store.get(keys.server(rel.listener ?? '')));
  const servers = serverRecord === undefined || rel.listener === null ? {} : { [rel.listener]: serverRecord.value as unknown as ServerSlot };
  const state: CemState = freezeState({ settings: {} as CemState['settings'], relationships: { [rel.id]: rel }, servers, outbound: {}, inbound: {}, alertLog: {} });
  const resolved = resolveCertificates(state, rel.id, clockNow(ctx.ports));
  if (resolved === null) return null;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resolved)) {
    if (Array.isArray(value)) out[key] = Object.freeze(await Promise.all((value as readonly CertRef[]).map((c) => withMaterial(store, cache, c))));
    else if (value !== null && typeof value === 'object') out[key] = await withMaterial(store, cache, value as CertRef);
    else out[key] = value;
  }
  return Object.freeze(out) as unknown as ResolvedMaterial;
}

/**
 * The status of one relationship (or of all) and each of its certificates.
 *
 * @example
 * ```ts
 * const [acme] = await status(ctx, 'acme')
 * acme?.status // 'Pending'
 * ```
 * @throws CemEngineError `CEM_PORT_FAILED` when the store fails.
 */
export async function status(ctx: EngineContext, relationshipId?: string): Promise<readonly StatusEntry[]> {
  const { state } = await storeCall(() => loadSnapshot(ctx.ports.store, ctx.settings));
  const ids = relationshipId === undefined ? Object.keys(state.relationships).sort() : [relationshipId];
  const entries: StatusEntry[] = [];
  for (const id of ids) {
    const report = relationshipStatus(state, id);
    const certificates = certificateStatuses(state, id);
    const rel = Object.hasOwn(state.relationships, id) ? state.relationships[id] : undefined;
    if (report === null || certificates === null || rel === undefined) continue;
    entries.push(Object.freeze({ ...report, partnerName: rel.partnerName, certificates }));
  }
  return Object.freeze(entries);
}
