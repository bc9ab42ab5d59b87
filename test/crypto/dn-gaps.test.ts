/**
 * Distinguished-name comparisons mutation testing found unasserted (issue 12, gap 15 and the
 * dn-compare whitespace one).
 */
import { describe, expect, it } from 'vitest';
import { distinguishedNamesEqual, issuerMatches, parseDistinguishedName } from '../../src/crypto/index.js';
import type { CertificateInfo } from '../../src/crypto/index.js';

describe('issuerMatches for an issuer name without a CN (gap 15)', () => {
  const issuer = 'O=Acme,OU=PKI,C=US';

  it('matches the same name (by meaning) and nothing looser', () => {
    expect(issuerMatches('O=Acme,OU=PKI,C=US', issuer)).toBe(true);
    expect(issuerMatches('c=us, ou=pki, o=ACME', issuer)).toBe(true);
    expect(issuerMatches('O=Acme,C=US', issuer)).toBe(false);
    expect(issuerMatches('O=Acme', issuer)).toBe(false);
    expect(issuerMatches('C=US', issuer)).toBe(false);
  });

  it('never accepts a CN-less wire subset, also for an issuer that has a CN', () => {
    expect(issuerMatches('O=Acme,C=US', 'CN=Acme CA,O=Acme,C=US')).toBe(false);
    expect(issuerMatches('CN=Acme CA,C=US', 'CN=Acme CA,O=Acme,C=US')).toBe(true);
  });

  it('counts repeated attributes (a sub-multiset, not a subset)', () => {
    expect(issuerMatches('CN=Acme CA,CN=Acme CA', 'CN=Acme CA,O=Acme,C=US')).toBe(false);
    expect(issuerMatches('CN=Acme CA,OU=a,OU=a', 'CN=Acme CA,OU=a,OU=a,OU=b,C=US')).toBe(true);
    expect(issuerMatches('CN=Acme CA,OU=c', 'CN=Acme CA,OU=a,OU=b,C=US')).toBe(false);
  });
});

describe('value normalisation by meaning (dn-compare)', () => {
  it('trims values, also an escaped leading or trailing space', () => {
    expect(distinguishedNamesEqual('CN=\\ Acme CA\\ ,C=US', 'CN=Acme CA,C=US')).toBe(true);
    expect(issuerMatches('CN=\\ Acme CA', 'CN=Acme CA,O=Acme,C=US')).toBe(true);
  });

  it('collapses internal whitespace, ignores case and applies NFKC', () => {
    expect(distinguishedNamesEqual('CN=Acme   CA,C=US', 'cn=acme ca,c=us')).toBe(true);
    expect(distinguishedNamesEqual('CN=ＡＣＭＥ CA', 'CN=acme ca')).toBe(true);
    expect(distinguishedNamesEqual('CN=AcmeCA', 'CN=Acme CA')).toBe(false);
  });
});

describe('comparison keys cannot collide (dn-compare)', () => {
  it('keeps the type and the value of an attribute apart', () => {
    expect(distinguishedNamesEqual('FOO=bar', 'FOOB=ar')).toBe(false);
    expect(distinguishedNamesEqual('FOO=bar', 'foo=BAR')).toBe(true);
  });

  it('keeps the attributes of a multi-valued RDN apart', () => {
    expect(distinguishedNamesEqual('CN=a+UID=b', 'UID=b2.5.4.3\\00a')).toBe(false);
    expect(distinguishedNamesEqual('CN=a+UID=b', 'UID=b+CN=a')).toBe(true);
  });

  it('needs a real CN on the wire, not a type whose OID starts like it', () => {
    expect(issuerMatches('2.5.4.35=x', 'CN=y,2.5.4.35=x,C=US')).toBe(false);
    expect(issuerMatches('CN=y,2.5.4.35=x', 'CN=y,2.5.4.35=x,C=US')).toBe(true);
  });

  it('ignores case with lower-case folding: ß is not ss, dotless ı is not i', () => {
    expect(distinguishedNamesEqual('CN=straße', 'CN=STRASSE')).toBe(false);
    expect(distinguishedNamesEqual('CN=ı', 'CN=i')).toBe(false);
    expect(distinguishedNamesEqual('CN=İ', 'CN=i̇')).toBe(true);
  });

  it('compares values that are not character strings by their BER bytes', () => {
    expect(distinguishedNamesEqual('2.5.4.45=#030200ff', 'x500UniqueIdentifier=#030200FF')).toBe(true);
    expect(distinguishedNamesEqual('2.5.4.45=#030200ff', '2.5.4.45=#030200fe')).toBe(false);
  });

  it('finds a wire sub-multiset whatever the order of either name', () => {
    expect(issuerMatches('O=Acme,CN=Acme CA', 'C=US,CN=Acme CA,OU=PKI,O=Acme')).toBe(true);
    expect(issuerMatches('C=US,O=Acme,CN=Acme CA', 'CN=Acme CA,O=Acme,C=US,DC=z')).toBe(true);
    expect(issuerMatches('CN=Acme CA,C=US,DC=z', 'CN=Acme CA,O=Acme,C=US')).toBe(false);
  });
});

describe('the public DN functions', () => {
  it('returns frozen RDN lists', () => {
    const rdns = parseDistinguishedName('CN=x,O=y');
    expect(Object.isFrozen(rdns) && rdns.every((rdn) => Object.isFrozen(rdn) && rdn.every((a) => Object.isFrozen(a)))).toBe(true);
  });

  it('compares parsed names and strings alike', () => {
    const parsed = parseDistinguishedName('CN=x,O=y');
    expect(distinguishedNamesEqual(parsed, 'o=Y, cn=X')).toBe(true);
    expect(distinguishedNamesEqual('CN=x', parsed)).toBe(false);
    expect(distinguishedNamesEqual([], '')).toBe(true);
  });

  it('matches against a certificate\'s parsed issuer', () => {
    const cert = { issuerRdns: parseDistinguishedName('CN=Acme CA,OU=PKI,O=Acme,C=US') } as unknown as CertificateInfo;
    expect(issuerMatches('CN=Acme CA,O=Acme', cert)).toBe(true);
    expect(issuerMatches('CN=Other CA,O=Acme', cert)).toBe(false);
    expect(issuerMatches('CN="broken', cert)).toBe(false);
  });

  it('does not swallow a programming error (a wire issuer that is not a string) as "no match"', () => {
    expect(() => issuerMatches(null as unknown as string, 'CN=Acme CA')).toThrow(TypeError);
  });
});

describe('binary attributes built by hand', () => {
  it('compares a binary attribute without BER bytes like one with empty BER bytes', () => {
    const attribute = { oid: '2.5.4.45', type: 'x500UniqueIdentifier', value: '#', binary: true } as const;
    expect(distinguishedNamesEqual([[{ ...attribute, ber: null }]], [[{ ...attribute, ber: '' }]])).toBe(true);
    expect(distinguishedNamesEqual([[{ ...attribute, ber: null }]], [[{ ...attribute, ber: '00' }]])).toBe(false);
  });
});
