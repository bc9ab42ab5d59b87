/**
 * Finds the end-entity certificate of a set and the issuer path above it.
 *
 * @module
 */
import type { CertificateInfo } from '../types.js';
import { rdnKeys } from './dn-compare.js';
import { clip } from '../../quote.js';

/** The ordered set, or the reason no single end-entity certificate was found. */
export type OrderedBundle =
  | { readonly endEntity: CertificateInfo; readonly chain: CertificateInfo[]; readonly unrelated: CertificateInfo[] }
  | string;

/** Orders `certs` (identical certificates counted once). */
export function orderBundle(input: readonly CertificateInfo[]): OrderedBundle {
  const seen = new Set<string>();
  const certs = input.filter((c) => !seen.has(c.sha256) && seen.add(c.sha256) !== undefined);
  // name keys are computed once per certificate for this call
  const subjects = certs.map((c) => rdnKeys(c.subjectRdns).join('\u0002'));
  const issuers = certs.map((c) => rdnKeys(c.issuerRdns).join('\u0002'));
  const issues = (i: number, j: number): boolean => {
    if (i === j || subjects[i] !== issuers[j]) return false;
    const ski = (certs[i] as CertificateInfo).subjectKeyIdentifier;
    const aki = (certs[j] as CertificateInfo).authorityKeyIdentifier;
    return ski === null || aki === null || ski === aki;
  };
  const indexes = certs.map((_, i) => i);
  const leaves = indexes.filter((i) => !indexes.some((j) => issues(i, j)));
  let endEntities = leaves.filter((i) => !(certs[i] as CertificateInfo).isCA);
  if (endEntities.length === 0 && certs.length === 1 && (certs[0] as CertificateInfo).selfSigned) endEntities = [0];
  if (endEntities.length !== 1) {
    if (endEntities.length === 0) return `no end-entity certificate among ${certs.length} (each is a CA or issues another)`;
    return `${endEntities.length} end-entity certificates where one was expected: ${endEntities.map((i) => clip((certs[i] as CertificateInfo).subject, 80)).join('; ')}`;
  }
  const used = new Set<number>(endEntities);
  const chain: CertificateInfo[] = [];
  for (let current = endEntities[0] as number; !(certs[current] as CertificateInfo).selfSigned; ) {
    const next = indexes.find((j) => !used.has(j) && issues(j, current));
    if (next === undefined) break;
    used.add(next);
    chain.push(certs[next] as CertificateInfo);
    current = next;
  }
  return {
    endEntity: certs[endEntities[0] as number] as CertificateInfo,
    chain,
    unrelated: certs.filter((_, i) => !used.has(i)),
  };
}
