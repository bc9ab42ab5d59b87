import { describe, expect, it } from 'vitest';
import { checkReceivedCertificate, identifierMatches, serialsEqual } from '../../src/policy/cert-checks.js';
import { DEFAULT_SETTINGS } from '../../src/state/model.js';
import { readCertificate } from '../../src/crypto/certificate.js';
import { decideReceivedCertificate } from '../../src/policy/auto-accept.js';
import { makeCert } from '../state/fixtures.js';
import { makeCert as makeRealCert } from '../helpers/pki.js';

const now = new Date('2026-03-02T00:00:00Z');

describe('received certificate checks', () => {
  it.each([
    ['42', '042', true],
    ['42', '43', false],
    ['123456789012345678901234567890123456789012345678', '123456789012345678901234567890123456789012345678', true],
    ['x', 'x', false],
  ])('compares serials %s and %s by value → %s', (a, b, equal) => {
    expect(serialsEqual(a, b)).toBe(equal);
  });

  it('matches identifiers by issuer meaning and serial value', () => {
    const cert = makeCert({ issuer: 'CN=Acme CA,OU=PKI,O=Acme,C=US' });
    expect(identifierMatches({ issuer: 'c=US, o=Acme, ou=PKI, cn=acme ca', serial: cert.serial }, cert)).toBe(true);
    expect(identifierMatches({ issuer: 'CN=Other CA', serial: cert.serial }, cert)).toBe(false);
    expect(identifierMatches({ issuer: 'not a name', serial: cert.serial }, cert)).toBe(false);
  });

  it('finds nothing wrong with a suitable certificate', () => {
    const cert = makeCert();
    expect(checkReceivedCertificate(cert, ['digitalSignature', 'keyEncipherment'], cert, now, DEFAULT_SETTINGS)).toEqual({ problems: [], messages: [] });
  });

  it.each([
    ['a short RSA key', makeCert({ keySize: 1024 }), ['digitalSignature'] as const, 'weakKey'],
    ['an expired certificate', makeCert({ notAfter: new Date('2026-01-01T00:00:00Z') }), ['keyEncipherment'] as const, 'expired'],
    ['a missing key usage', makeCert({ keyUsage: ['keyEncipherment'] }), ['digitalSignature'] as const, 'keyUsageMissing'],
    ['a missing TLS purpose', makeCert({ extendedKeyUsage: ['emailProtection'] }), ['tlsServer'] as const, 'extendedKeyUsageMissing'],
  ])('names %s', (_name, cert, usages, code) => {
    const check = checkReceivedCertificate(cert, usages, cert, now, DEFAULT_SETTINGS);
    expect(check.problems).toContain(code);
    expect(check.messages.length).toBeGreaterThanOrEqual(check.problems.length);
  });

  it('names a weak self-signature, so a self-signed SHA-1 certificate is never auto-accepted', () => {
    const cert = readCertificate(makeRealCert({ subject: '/CN=legacy.as2.test', digest: 'sha1', keyUsage: 'digitalSignature,keyEncipherment' }).der);
    expect(cert.selfSigned).toBe(true);
    const at = new Date(cert.notBefore.getTime() + 60_000);
    const check = checkReceivedCertificate(cert, ['digitalSignature'], cert, at, DEFAULT_SETTINGS);
    expect(check.problems).toEqual(['weakSignatureAlgorithm']);
    const facts = { alreadyAccepted: false, authenticated: true, problemMessages: check.messages, relationship: { autoAccept: 'on' as const } };
    expect(decideReceivedCertificate({ ...facts, settings: { ...DEFAULT_SETTINGS, autoAccept: true } })).toMatchObject({ decision: 'rejected', cause: 'unsuitableRejected' });
    expect(decideReceivedCertificate({ ...facts, settings: { ...DEFAULT_SETTINGS, autoAccept: true, unsuitable: 'manual' } })).toMatchObject({ decision: 'pending', cause: 'unsuitableManual' });
  });

  it('names an identifier that does not designate the certificate', () => {
    const cert = makeCert();
    expect(checkReceivedCertificate(cert, ['keyEncipherment'], { issuer: cert.issuer, serial: '1' }, now, DEFAULT_SETTINGS).problems).toEqual(['identifierMismatch']);
  });
});
