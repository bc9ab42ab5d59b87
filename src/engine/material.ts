/**
 * Certificate material: the DER of every certificate the lifecycle refers to by fingerprint, with
 * its chain, stored once as `material/<fingerprint>`. Requests, emails and server installs are
 * rebuilt from it, so a resend after a crash carries the same bytes.
 *
 * @module
 */
import { Buffer } from 'node:buffer';
import { readCertificate, readCertificates, type CertificateInfo } from '../crypto/certificate.js';
import { CemArgumentError, CemEngineError } from '../errors.js';
import type { CemStore, StoreWrite } from '../ports/store.js';
import { normalizeFingerprint } from '../state/relationship/cert-ref.js';
import { isRecord } from '../state/validate.js';
import { storeCall } from './context.js';
import { keys } from './keys.js';

/** A certificate as the host holds it: DER bytes, or PEM text/bytes (a bundle: end-entity first, then its chain). */
export type CertificateSource = Uint8Array | string;

/** A certificate with an optional separate chain. */
export interface CertificateWithChain {
  readonly certificate: CertificateSource;
  /** Issuers of the certificate, in any order (added to those found after it in `certificate`). */
  readonly chain?: readonly CertificateSource[];
}

/** One of our certificates: as {@link CertificateWithChain}, plus the host's private-key reference. */
export interface LocalCertificateSource extends CertificateWithChain {
  readonly keyRef?: string;
}

/** A certificate read from a source: the end-entity and its chain. */
export interface ReadMaterial {
  readonly info: CertificateInfo;
  readonly chain: readonly Uint8Array[];
}

/** Stored material of one certificate. */
export interface CertificateMaterial {
  readonly fingerprint: string;
  readonly der: Uint8Array;
  readonly chain: readonly Uint8Array[];
}

/**
 * Reads a certificate source: the first certificate is the end-entity, the rest (and `chain`)
 * its chain.
 *
 * @example
 * ```ts
 * const { info, chain } = readSource({ certificate: pemBundle })
 * ```
 * @throws CemCryptoError `CEM_CERT_INVALID` for an unreadable certificate.
 * @throws CemArgumentError `CEM_ARGUMENT` for a source of the wrong type.
 */
export function readSource(source: CertificateSource | CertificateWithChain): ReadMaterial {
  const given = typeof source === 'string' || source instanceof Uint8Array ? { certificate: source } : source;
  if (!isRecord(given) || !(typeof given.certificate === 'string' || given.certificate instanceof Uint8Array)) {
    throw new CemArgumentError('a certificate must be DER bytes or PEM text');
  }
  const [first, ...rest] = readCertificates(given.certificate);
  if (first === undefined) throw new CemArgumentError('no certificate given');
  const extra = (given.chain ?? []).flatMap((c) => readCertificates(c));
  const seen = new Set([first.sha256]);
  const chain: Uint8Array[] = [];
  for (const c of [...rest, ...extra]) {
    if (seen.has(c.sha256)) continue;
    seen.add(c.sha256);
    chain.push(c.der);
  }
  return Object.freeze({ info: first, chain: Object.freeze(chain) });
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

/** Material collected for the next commit. */
export interface MaterialSet {
  /** Adds one certificate (the first given for a fingerprint wins). */
  add(material: ReadMaterial): void;
  /** Creates for the certificates not yet stored; `expectedVersion: null` makes a racing create conflict. */
  writes(store: CemStore): Promise<StoreWrite[]>;
}

/**
 * Collects material to store with the next commit, skipping what is stored already.
 *
 * @example
 * ```ts
 * const pending = createMaterialSet()
 * pending.add(readSource(pem))
 * const writes = await pending.writes(store)
 * ```
 * @throws never.
 */
export function createMaterialSet(): MaterialSet {
  const items = new Map<string, ReadMaterial>();
  return Object.freeze({
    add(material: ReadMaterial): void {
      const fingerprint = normalizeFingerprint(material.info.sha256);
      if (!items.has(fingerprint)) items.set(fingerprint, material);
    },
    async writes(store: CemStore): Promise<StoreWrite[]> {
      const out: StoreWrite[] = [];
      for (const [fingerprint, m] of items) {
        const key = keys.material(fingerprint);
        if ((await store.get(key)) !== undefined) continue;
        out.push({ key, expectedVersion: null, value: { fingerprint, der: b64(m.info.der), chain: m.chain.map(b64) } });
      }
      return out;
    },
  });
}

/**
 * Loads the material of one certificate.
 *
 * @example
 * ```ts
 * const m = await loadMaterial(store, fingerprint)
 * ```
 * @throws CemEngineError `CEM_NOT_FOUND` when no material is stored for the fingerprint;
 *   `CEM_PORT_FAILED` when the store fails.
 */
export async function loadMaterial(store: CemStore, fingerprint: string): Promise<CertificateMaterial> {
  const key = keys.material(normalizeFingerprint(fingerprint));
  const record = await storeCall(() => store.get(key));
  const value = record?.value;
  if (!isRecord(value) || typeof value['der'] !== 'string' || !Array.isArray(value['chain'])) {
    throw new CemEngineError('CEM_NOT_FOUND', `no certificate material for ${fingerprint}`);
  }
  const chain = (value['chain'] as readonly unknown[]).filter((c): c is string => typeof c === 'string').map(unb64);
  return Object.freeze({ fingerprint: normalizeFingerprint(fingerprint), der: unb64(value['der']), chain: Object.freeze(chain) });
}

/**
 * The parsed certificate of stored material.
 *
 * @example
 * ```ts
 * const info = materialInfo(await loadMaterial(store, fp))
 * ```
 * @throws CemCryptoError `CEM_CERT_INVALID` for corrupted material.
 */
export function materialInfo(material: CertificateMaterial): CertificateInfo {
  return readCertificate(material.der);
}
