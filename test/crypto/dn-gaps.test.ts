/**
 * Distinguished-name comparisons mutation testing found unasserted (issue 12, gap 15 and the
 * dn-compare whitespace one).
 */
import { describe, expect, it } from 'vitest';
import { distinguishedNamesEqual, issuerMatches } from '../../src/crypto/index.js';

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
