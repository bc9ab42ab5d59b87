import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  advertisesCem,
  EDIINT_FEATURES_HEADER,
  formatEdiintFeatures,
  parseEdiintFeatures,
} from '../../src/messages/features.js';

/** The header block of a captured message as `[name, value]` pairs (folded lines unfolded). */
function headerPairs(fixture: string): [string, string][] {
  const text = readFileSync(new URL(`../fixtures/peers/${fixture}`, import.meta.url), 'latin1');
  const block = text.split(/\r?\n\r?\n/)[0] ?? '';
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  return unfolded.split(/\r?\n/).map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon), line.slice(colon + 1).trim()] as [string, string];
  });
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('parseEdiintFeatures', () => {
  it('splits on commas and trims', () => {
    expect(parseEdiintFeatures(' CEM ,AS2-Reliability')).toEqual(['CEM', 'AS2-Reliability']);
    expect(parseEdiintFeatures('multiple-attachments, CEM')).toEqual(['multiple-attachments', 'CEM']);
  });

  it('keeps the case written but removes case-insensitive duplicates', () => {
    expect(parseEdiintFeatures('cem, CEM, Multiple-Attachments, multiple-attachments')).toEqual([
      'cem',
      'Multiple-Attachments',
    ]);
  });

  it('drops empty and junk tokens', () => {
    expect(parseEdiintFeatures(',, CEM,,  ,multiple attachments, a_b, x/y, "CEM2", ok-1 ')).toEqual(['CEM', 'ok-1']);
  });

  it('returns an empty list for an absent or empty header', () => {
    expect(parseEdiintFeatures(undefined)).toEqual([]);
    expect(parseEdiintFeatures(null)).toEqual([]);
    expect(parseEdiintFeatures('')).toEqual([]);
  });
});

describe('formatEdiintFeatures', () => {
  it('joins names with a comma and a space', () => {
    expect(formatEdiintFeatures(['multiple-attachments', 'CEM'])).toBe('multiple-attachments, CEM');
    expect(formatEdiintFeatures(['CEM'])).toBe('CEM');
  });

  it('writes what parseEdiintFeatures reads back', () => {
    const features = ['CEM', 'multiple-attachments', 'AS2-Reliability'];
    expect(parseEdiintFeatures(formatEdiintFeatures(features))).toEqual(features);
  });

  it.each([
    ['an empty list', []],
    ['an empty name', ['CEM', '']],
    ['a name with a space', ['multiple attachments']],
    ['a name with a comma', ['CEM,AS2']],
    ['a name with an underscore', ['a_b']],
    ['a duplicate in another case', ['CEM', 'cem']],
  ])('refuses %s with CEM_ARGUMENT', (_label, features) => {
    expect(codeOf(() => formatEdiintFeatures(features as string[]))).toBe('CEM_ARGUMENT');
  });
});

describe('advertisesCem', () => {
  it('names the header as RFC 6017 does', () => {
    expect(EDIINT_FEATURES_HEADER).toBe('EDIINT-Features');
  });

  it('is true for the headers of a captured mendelson AS2 message (lower-case header name)', () => {
    const pairs = headerPairs('mendelson-1.1b59-signed-as2-message.as2');
    expect(pairs.some(([name]) => name === 'ediint-features')).toBe(true);
    expect(advertisesCem(pairs)).toBe(true);
    expect(advertisesCem(Object.fromEntries(pairs))).toBe(true);
    expect(advertisesCem(new Headers(pairs))).toBe(true);
  });

  it('is true for the headers of a captured .NET AS2 MDN (Ediint-Features)', () => {
    const pairs = headerPairs('as2testing-dotnet-signed-mdn.txt');
    expect(pairs.some(([name]) => name === 'Ediint-Features')).toBe(true);
    expect(advertisesCem(pairs)).toBe(true);
    expect(advertisesCem(Object.fromEntries(pairs))).toBe(true);
  });

  it('is false for the headers of a captured message without the header field', () => {
    const pairs = headerPairs('mendelson-1.1b59-signed-as2-message.as2').filter(
      ([name]) => name.toLowerCase() !== 'ediint-features',
    );
    expect(advertisesCem(pairs)).toBe(false);
  });

  it("is false for pyas2lib's CMS token", () => {
    expect(advertisesCem({ 'EDIINT-Features': 'CMS' })).toBe(false);
  });

  it('matches the token case-insensitively and ignores tokens that merely contain CEM', () => {
    expect(advertisesCem({ 'EDIINT-Features': 'cem' })).toBe(true);
    expect(advertisesCem({ 'EDIINT-Features': ' CEM ,AS2-Reliability' })).toBe(true);
    expect(advertisesCem({ 'EDIINT-Features': 'CEM2, XCEM, CEM-ish' })).toBe(false);
  });

  it('reads header names case-insensitively, the legacy X-EDIINT-Features and repeated headers', () => {
    expect(advertisesCem({ 'EDIINT-FEATURES': 'CEM' })).toBe(true);
    expect(advertisesCem({ 'X-EDIINT-Features': 'CEM' })).toBe(true);
    expect(advertisesCem({ 'ediint-features': ['multiple-attachments', 'CEM'] })).toBe(true);
    expect(advertisesCem([['EDIINT-Features', 'multiple-attachments'], ['EDIINT-Features', 'CEM']])).toBe(true);
    expect(advertisesCem({ 'Other-Features': 'CEM', 'AS2-Version': '1.2' })).toBe(false);
  });

  it('reads a Headers-like object through get()', () => {
    const headers = new Headers();
    headers.append('EDIINT-Features', 'multiple-attachments');
    headers.append('EDIINT-Features', 'CEM');
    expect(advertisesCem(headers)).toBe(true);
    expect(advertisesCem({ get: (name: string) => (name === 'x-ediint-features' ? 'CEM' : null) })).toBe(true);
  });

  it('is false for absent headers', () => {
    expect(advertisesCem(undefined)).toBe(false);
    expect(advertisesCem({})).toBe(false);
    expect(advertisesCem([])).toBe(false);
  });
});
