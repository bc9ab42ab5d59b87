/**
 * `resolve` and `status`: read-only queries. `resolve` is the AS2 hot path: it reads one
 * relationship and its listener's server slot (not the whole state) and caches material, which
 * never changes for a fingerprint.
 *
 * @module
 */
import { resolveCertificates, type ResolvedCertificates } from '../policy/resolution.js';
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

/** The decoded material of recently resolved certificates (see {@link createMaterialCache}). */
export interface MaterialCache {
  get(fingerprint: string): CertificateMaterial | undefined;
  set(fingerprint: string, material: CertificateMaterial): void;
}

/**
 * A cache of decoded certificate material holding the `capacity` most recently used certificates
 * at least and `2 × capacity` at most (our own certificates, shared by every partner, stay in it;
 * a partner's while its traffic is hot). Two generations instead of a strict LRU: a hit costs one
 * map lookup, with no reordering. Material never changes for a fingerprint, so nothing is ever
 * stale.
 *
 * @example
 * ```ts
 * const cache = createMaterialCache(4096)
 * ```
 * @throws never.
 */
export function createMaterialCache(capacity: number): MaterialCache {
  let young = new Map<string, CertificateMaterial>();
  let old = new Map<string, CertificateMaterial>();
  const put = (fingerprint: string, material: CertificateMaterial): void => {
    young.set(fingerprint, material);
    if (young.size >= capacity) {
      old = young;
      young = new Map();
    }
  };
  return {
    get(fingerprint) {
      const found = young.get(fingerprint);
      if (found !== undefined) return found;
      const aged = old.get(fingerprint);
      if (aged !== undefined) put(fingerprint, aged);
      return aged;
    },
    set: put,
  };
}

/** One relationship's slice for reads: its aggregate and its listener (two gets, no list). */
async function readSlice(ctx: EngineContext, relationshipId: string, settings: CemSettings = DEFAULT_SETTINGS, freeze = true): Promise<{ state: CemState; rel: Relationship } | null> {
  const { store } = ctx.ports;
  await ensureLayout(ctx);
  const record = await storeCall(() => store.get(keys.relationship(relationshipId)));
  if (record === undefined) return null;
  const agg = record.value as unknown as RelationshipAggregate;
  const listener = agg.relationship.listener === null ? undefined : await storeCall(() => store.get(keys.listener(agg.relationship.listener ?? '')));
  const listeners = listener === undefined ? [] : [listener.value as unknown as ListenerAggregate];
  return { state: composeState(settings, [agg], listeners, freeze), rel: agg.relationship };
}

const isCertList = (value: unknown): value is readonly CertRef[] => Array.isArray(value);
const isCert = (value: unknown): value is CertRef => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Every certificate a resolution names, in field order (repeats included). */
function certificatesNamed(resolved: ResolvedCertificates): CertRef[] {
  const refs: CertRef[] = [];
  for (const value of Object.values(resolved)) {
    if (isCertList(value)) refs.push(...value);
    else if (isCert(value)) refs.push(value);
  }
  return refs;
}

/**
 * The certificates to use with a partner now, with their material: reads the relationship's
 * aggregate and its listener (and the material of certificates not cached yet). The bytes
 * returned are copies (one allocation per call): the host may change them, the cache stays
 * intact.
 *
 * @example
 * ```ts
 * const resolved = await resolve(ctx, createMaterialCache(2048), 'acme')
 * ```
 * @throws CemEngineError `CEM_PORT_FAILED` when the store fails; `CEM_NOT_FOUND` when material is missing.
 */
export async function resolve(ctx: EngineContext, cache: MaterialCache, relationshipId: string): Promise<ResolvedMaterial | null> {
  // resolveCertificates only reads the state, and nothing of it is handed out: no need to freeze it.
  const read = await readSlice(ctx, relationshipId, DEFAULT_SETTINGS, false);
  if (read === null) return null;
  const resolved = resolveCertificates(read.state, read.rel.id, clockNow(ctx.ports));
  if (resolved === null) return null;
  // The material of every certificate named: from the cache, else from the store.
  const material = new Map<string, CertificateMaterial>();
  const missing = new Set<string>();
  for (const ref of certificatesNamed(resolved)) {
    const m = cache.get(ref.fingerprint);
    if (m === undefined) missing.add(ref.fingerprint);
    else material.set(ref.fingerprint, m);
  }
  await Promise.all([...missing].map(async (fingerprint) => {
    const m = await loadMaterial(ctx.ports.store, fingerprint);
    cache.set(fingerprint, m);
    material.set(fingerprint, m);
  }));
  return withMaterialCopies(resolved, (fingerprint) => material.get(fingerprint) as CertificateMaterial);
}

/**
 * `resolved` with each certificate's bytes and chain attached: copies (the host may change them,
 * `materialOf`'s stay intact), all in one buffer per call.
 *
 * @example
 * ```ts
 * const withBytes = withMaterialCopies(resolveCertificates(state, 'acme', now), (fp) => cache.get(fp))
 * ```
 * @throws never (`materialOf` must know every certificate named).
 */
export function withMaterialCopies(resolved: ResolvedCertificates, materialOf: (fingerprint: string) => Pick<CertificateMaterial, 'der' | 'chain'>): ResolvedMaterial {
  const refs = certificatesNamed(resolved);
  let bytes = 0;
  for (const ref of refs) {
    const m = materialOf(ref.fingerprint);
    bytes += m.der.byteLength;
    for (const c of m.chain) bytes += c.byteLength;
  }
  const buffer = new Uint8Array(bytes);
  let at = 0;
  const copy = (source: Uint8Array): Uint8Array => {
    buffer.set(source, at);
    at += source.byteLength;
    return buffer.subarray(at - source.byteLength, at);
  };
  const attach = (ref: CertRef): ResolvedCertificate => {
    const m = materialOf(ref.fingerprint);
    return Object.freeze({ ...ref, der: copy(m.der), chain: Object.freeze(m.chain.map(copy)) });
  };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resolved)) {
    out[key] = isCertList(value) ? Object.freeze(value.map(attach)) : isCert(value) ? attach(value) : value;
  }
  return Object.freeze(out) as unknown as ResolvedMaterial;
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
