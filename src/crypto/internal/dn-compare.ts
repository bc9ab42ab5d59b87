/**
 * Comparison keys for distinguished names "by meaning": attribute type by OID, character values
 * NFKC-normalised, trimmed, internal whitespace collapsed and lower-cased; non-string values by
 * their BER bytes.
 *
 * @module
 */
import type { DnAttribute, Rdn } from '../types.js';

/** The comparable form of a character value. */
export function normalizeValue(value: string): string {
  return value.normalize('NFKC').replace(/\s+/gu, ' ').trim().toLowerCase();
}

/** Key of one attribute: OID and normalised value. */
export function attributeKey(attribute: DnAttribute): string {
  const value = attribute.binary ? `#${attribute.ber ?? ''}` : normalizeValue(attribute.value);
  return `${attribute.oid}\u0000${value}`;
}

/** Keys of the RDNs (each RDN an order-free set of attributes), sorted. */
export function rdnKeys(rdns: readonly Rdn[]): string[] {
  return rdns.map((rdn) => rdn.map(attributeKey).sort().join('\u0001')).sort();
}

/** Keys of all attributes, RDN grouping ignored, sorted. */
export function flatKeys(rdns: readonly Rdn[]): string[] {
  return rdns.flatMap((rdn) => rdn.map(attributeKey)).sort();
}

/** Equality of two sorted key lists. */
export function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((key, i) => key === b[i]);
}

/** True when sorted `small` is a sub-multiset of sorted `big`. */
export function isSubMultiset(small: readonly string[], big: readonly string[]): boolean {
  let j = 0;
  for (const key of small) {
    while (j < big.length && (big[j] as string) < key) j++;
    if (big[j] !== key) return false;
    j++;
  }
  return true;
}
