/**
 * `resolve` and `status`: read-only queries. `resolve` is the AS2 hot path: it reads one
 * relationship and its listener's server slot (not the whole state) and caches material, which
 * never changes for a fingerprint.
 *
 * @module
 */
import type { CemStore } from '../ports/store.js';
import { resolveCertificates } from '../policy/resolution.js';
import { DEFAULT_SETTINGS, type CemSettings, type CemState, type CertRef, type Relationship } from '../state/model.js';
import { inspectAll } from './admin-reads.js';
import { composeState, type ListenerAggregate, type RelationshipAggregate } from './aggregates.js';
import { certificateStatuses, relationshipStatus } from '../state/status.js';
import { storeCall, type EngineContext } from './context.js';
import { keys } from './keys.js';
import { loadMaterial, type CertificateMaterial } from './material.js';
import { clockNow } from './port-calls.js';
import { ensureLayout, loadSettings } from './slice.js';
import { isRecord } from '../state/validate.js';
import type { ResolvedCertificate, ResolvedMaterial, StatusEntry } from './types.js';

/** A cache of material by fingerprint (material is immutable). */
/** The decoded material of recently resolved certificates (see {@link createMaterialCache}). */
export interface MaterialCache {
  get(fingerprint: string): CertificateMaterial | undefined;
  set(fingerprint: string, material: CertificateMaterial): void;
}

/**
 * A least-recently-used cache of decoded certificate material, `capacity` certificates at most
 * (our own certificates, shared by every partner, stay in it; a partner's while its traffic is
 * hot). Material never changes for a fingerprint, so nothing is ever stale.
 *
 * @example
 * ```ts
 * const cache = createMaterialCache(4096)
 * ```
 * @throws never.
 */
export function createMaterialCache(capacity: number): MaterialCache {
  const entries = new Map<string, CertificateMaterial>();
  return {
    get(fingerprint) {
      const found = entries.get(fingerprint);
      if (found !== undefined) {
        entries.delete(fingerprint);
        entries.set(fingerprint, found);
      }
      return found;
    },
    set(fingerprint, material) {
      entries.set(fingerprint, material);
      if (entries.size > capacity) entries.delete(entries.keys().next().value as string);
    },
  };
}

async function withMaterial(store: CemStore, cache: MaterialCache, cert: CertRef): Promise<ResolvedCertificate> {
  let material = cache.get(cert.fingerprint);
  if (material === undefined) {
    material = await loadMaterial(store, cert.fingerprint);
    cache.set(cert.fingerprint, material);
  }
  // Copies: the host may change the bytes it gets; the cache stays intact.
  return Object.freeze({ ...cert, der: material.der.slice(), chain: Object.freeze(material.chain.map((c) => c.slice())) });
}

/** One relationship's slice for reads: its aggregate and its listener (two gets, no list). */
async function readSlice(ctx: EngineContext, relationshipId: string, settings: CemSettings = DEFAULT_SETTINGS): Promise<{ state: CemState; rel: Relationship } | null> {
  const { store } = ctx.ports;
  await ensureLayout(ctx);
  const record = await storeCall(() => store.get(keys.relationship(relationshipId)));
  if (record === undefined) return null;
  const agg = record.value as unknown as RelationshipAggregate;
  const listener = agg.relationship.listener === null ? undefined : await storeCall(() => store.get(keys.listener(agg.relationship.listener ?? '')));
  const listeners = listener === undefined ? [] : [listener.value as unknown as ListenerAggregate];
  return { state: composeState(settings, [agg], listeners), rel: agg.relationship };
}

/**
 * The certificates to use with a partner now, with their material: reads the relationship's
 * aggregate and its listener (and the material of certificates not cached yet).
 *
 * @example
 * ```ts
 * const resolved = await resolve(ctx, new Map(), 'acme')
 * ```
 * @throws CemEngineError `CEM_PORT_FAILED` when the store fails; `CEM_NOT_FOUND` when material is missing.
 */
export async function resolve(ctx: EngineContext, cache: MaterialCache, relationshipId: string): Promise<ResolvedMaterial | null> {
  const read = await readSlice(ctx, relationshipId);
  if (read === null) return null;
  const resolved = resolveCertificates(read.state, read.rel.id, clockNow(ctx.ports));
  if (resolved === null) return null;
  const { store } = ctx.ports;
  const entries = await Promise.all(Object.entries(resolved).map(async ([key, value]): Promise<[string, unknown]> => {
    if (Array.isArray(value)) return [key, Object.freeze(await Promise.all((value as readonly CertRef[]).map((c) => withMaterial(store, cache, c))))];
    if (value !== null && typeof value === 'object') return [key, await withMaterial(store, cache, value as CertRef)];
    return [key, value];
  }));
  return Object.freeze(Object.fromEntries(entries)) as unknown as ResolvedMaterial;
}

function statusEntry(state: CemState, id: string): StatusEntry | null {
  const report = relationshipStatus(state, id);
  const certificates = certificateStatuses(state, id);
  const rel = Object.hasOwn(state.relationships, id) ? state.relationships[id] : undefined;
  if (report === null || certificates === null || rel === undefined) return null;
  return Object.freeze({ ...report, partnerName: rel.partnerName, certificates });
}

/**
 * Status per relationship and per certificate: one relationship's records, or (no id) every
 * relationship, paged (an admin read).
 *
 * @example
 * ```ts
 * const [acme] = await status(ctx, 'acme')
 * ```
 * @throws CemEngineError `CEM_PORT_FAILED` when the store fails.
 */
export async function status(ctx: EngineContext, relationshipId?: string): Promise<readonly StatusEntry[]> {
  if (relationshipId !== undefined) {
    const read = await readSlice(ctx, relationshipId, (await loadSettings(ctx)).settings);
    const entry = read === null ? null : statusEntry(read.state, relationshipId);
    return Object.freeze(entry === null ? [] : [entry]);
  }
  const state = await inspectAll(ctx);
  const entries = Object.keys(state.relationships).sort().map((id) => statusEntry(state, id)).filter((e): e is StatusEntry => e !== null);
  return Object.freeze(entries);
}

/**
 * The relationship of inbound messages from `as2From` to `as2To`: one read of the name index.
 *
 * @example
 * ```ts
 * const id = await relationshipFor(ctx, 'GLOBEX', 'ACME') // 'globex'
 * ```
 * @throws CemEngineError `CEM_PORT_FAILED` when the store fails.
 */
export async function relationshipFor(ctx: EngineContext, as2From: string, as2To: string): Promise<string | null> {
  if (typeof as2From !== 'string' || typeof as2To !== 'string') return null;
  await ensureLayout(ctx);
  const record = await storeCall(() => ctx.ports.store.get(keys.name(as2From, as2To)));
  const id = isRecord(record?.value) ? record.value['relationshipId'] : undefined;
  return typeof id === 'string' ? id : null;
}
