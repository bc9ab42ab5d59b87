import { beforeAll, describe, expect, it } from 'vitest';
import { readCertificate, type CertificateInfo } from '../../src/crypto/certificate.js';
import {
  checkCertificateSuitability,
  checkCertificateSuitabilityForUsages,
  type SuitabilityProblem,
} from '../../src/crypto/suitability.js';
import type { CertUsage } from '../../src/types.js';
import { makeCert, makePki, type CertOptions, type TestCert, type TestPki } from '../helpers/pki.js';

let pki: TestPki;
let rsaKey: TestCert;
let now: Date;
const certs: Record<string, CertificateInfo> = {};

/** An end-entity certificate; RSA ones share one 2048-bit key unless told otherwise (key generation is slow). */
const leaf = (options: Partial<CertOptions>): CertificateInfo =>
  readCertificate(pki.leaf({ ...(options.keyType || options.bits ? {} : { keyFrom: rsaKey }), ...options }).der);
const codes = (problems: readonly SuitabilityProblem[]): string[] => problems.map((p) => (p.usage ? `${p.code}:${p.usage}` : p.code));
const check = (name: string, usage: CertUsage, at = now): string[] => codes(checkCertificateSuitability(certs[name] as CertificateInfo, usage, at));

beforeAll(() => {
  pki = makePki('Fit');
  rsaKey = pki.leaf({ keyUsage: 'digitalSignature,keyEncipherment' });
  const sample = readCertificate(rsaKey.der);
  certs['both'] = sample;
  now = new Date(sample.notBefore.getTime() + 86_400_000);
  certs['signOnly'] = leaf({ keyUsage: 'digitalSignature' });
  certs['encryptOnly'] = leaf({ keyUsage: 'keyEncipherment' });
  certs['nonRepudiation'] = leaf({ keyUsage: 'nonRepudiation' });
  certs['noKeyUsage'] = leaf({ keyUsage: undefined });
  certs['clientAuthOnly'] = leaf({ extendedKeyUsage: 'clientAuth' });
  certs['anyEku'] = leaf({ extendedKeyUsage: 'anyExtendedKeyUsage' });
  certs['emailEku'] = leaf({ extendedKeyUsage: 'emailProtection' });
  certs['ecAgreement'] = leaf({ keyType: 'ec', keyUsage: 'digitalSignature,keyAgreement' });
  certs['ecSignOnly'] = leaf({ keyType: 'ec', keyUsage: 'digitalSignature' });
  certs['ec224'] = leaf({ keyType: 'ec', curve: 'P-224', keyUsage: 'digitalSignature' });
  certs['ed25519'] = leaf({ keyType: 'ed25519', keyUsage: 'digitalSignature,keyEncipherment' });
  certs['rsa1024'] = leaf({ bits: 1024 });
  certs['sha1'] = leaf({ digest: 'sha1' });
  certs['md5'] = leaf({ digest: 'md5' });
  certs['selfSignedSha1'] = readCertificate(makeCert({ subject: '/CN=old.self.test', digest: 'sha1', keyUsage: 'digitalSignature,keyEncipherment', keyFrom: rsaKey }).der);
  certs['selfSignedMd5'] = readCertificate(makeCert({ subject: '/CN=md5', digest: 'md5', keyFrom: rsaKey }).der);
  certs['selfSignedCa'] = readCertificate(makeCert({ subject: '/CN=as2.self.test', ca: true, keyUsage: 'digitalSignature,keyEncipherment', keyFrom: rsaKey }).der);
  certs['intermediate'] = readCertificate(pki.intermediate.der);
});

describe('checkCertificateSuitability', () => {
  it('finds nothing wrong with an RSA certificate for signing and encryption, valid now', () => {
    for (const usage of ['keyEncipherment', 'digitalSignature', 'tlsServer', 'tlsClient'] as const) expect(check('both', usage)).toEqual([]);
  });

  it('needs keyUsage keyEncipherment for keyEncipherment', () => {
    expect(check('signOnly', 'keyEncipherment')).toEqual(['keyUsageMissing:keyEncipherment']);
    expect(check('encryptOnly', 'keyEncipherment')).toEqual([]);
  });

  it('needs keyUsage digitalSignature or nonRepudiation for digitalSignature', () => {
    expect(check('encryptOnly', 'digitalSignature')).toEqual(['keyUsageMissing:digitalSignature']);
    expect(check('nonRepudiation', 'digitalSignature')).toEqual([]);
  });

  it('accepts keyAgreement (or keyEncipherment) for encryption to an EC key', () => {
    expect(check('ecAgreement', 'keyEncipherment')).toEqual([]);
    expect(check('ecSignOnly', 'keyEncipherment')).toEqual(['keyUsageMissing:keyEncipherment']);
  });

  it('treats an absent keyUsage or extendedKeyUsage extension as unrestricted', () => {
    expect(certs['noKeyUsage']).toMatchObject({ keyUsagePresent: false, extendedKeyUsagePresent: false });
    for (const usage of ['keyEncipherment', 'digitalSignature', 'tlsServer', 'tlsClient'] as const) expect(check('noKeyUsage', usage)).toEqual([]);
  });

  it('needs digitalSignature or keyEncipherment and serverAuth/clientAuth (or anyExtendedKeyUsage) for TLS', () => {
    expect(check('encryptOnly', 'tlsServer')).toEqual([]);
    expect(check('nonRepudiation', 'tlsClient')).toEqual(['keyUsageMissing:tlsClient']);
    expect(check('clientAuthOnly', 'tlsServer')).toEqual(['extendedKeyUsageMissing:tlsServer']);
    expect(check('clientAuthOnly', 'tlsClient')).toEqual([]);
    expect(check('emailEku', 'tlsClient')).toEqual(['extendedKeyUsageMissing:tlsClient']);
    expect(check('anyEku', 'tlsServer')).toEqual([]);
  });

  it('does not check extendedKeyUsage for S/MIME usages', () => {
    expect(check('clientAuthOnly', 'digitalSignature')).toEqual([]);
    expect(check('clientAuthOnly', 'keyEncipherment')).toEqual([]);
  });

  it('reports a key that cannot encrypt (Ed25519) for keyEncipherment', () => {
    expect(check('ed25519', 'keyEncipherment')).toEqual(['keyAlgorithmUnsuitable:keyEncipherment']);
    expect(check('ed25519', 'digitalSignature')).toEqual([]);
  });

  it('reports notYetValid before notBefore and expired after notAfter, not at the bounds', () => {
    const cert = certs['both'] as CertificateInfo;
    expect(check('both', 'digitalSignature', new Date(cert.notBefore.getTime() - 1))).toEqual(['notYetValid']);
    expect(check('both', 'digitalSignature', cert.notBefore)).toEqual([]);
    expect(check('both', 'digitalSignature', cert.notAfter)).toEqual([]);
    expect(check('both', 'digitalSignature', new Date(cert.notAfter.getTime() + 1))).toEqual(['expired']);
  });

  it('reports RSA keys under minRsaBits (2048 by default) and EC keys under 256 bits as weakKey', () => {
    expect(check('rsa1024', 'digitalSignature')).toEqual(['weakKey']);
    expect(codes(checkCertificateSuitability(certs['rsa1024'] as CertificateInfo, 'digitalSignature', now, { minRsaBits: 1024 }))).toEqual([]);
    expect(codes(checkCertificateSuitability(certs['both'] as CertificateInfo, 'digitalSignature', now, { minRsaBits: 3072 }))).toEqual(['weakKey']);
    expect(check('ec224', 'digitalSignature')).toEqual(['weakKey']);
    expect(check('ecSignOnly', 'digitalSignature')).toEqual([]);
  });

  it('reports MD5 and SHA-1 signatures of issued and of self-signed certificates under one code', () => {
    expect(check('sha1', 'digitalSignature')).toEqual(['weakSignatureAlgorithm']);
    expect(check('md5', 'digitalSignature')).toEqual(['weakSignatureAlgorithm']);
    expect(certs['selfSignedSha1']?.selfSigned).toBe(true);
    expect(check('selfSignedSha1', 'digitalSignature')).toEqual(['weakSignatureAlgorithm']);
    expect(check('selfSignedSha1', 'keyEncipherment')).toEqual(['weakSignatureAlgorithm']);
    // `openssl req -x509 -md5 -subj /CN=md5`: the usual self-made AS2 certificate, with an MD5 self-signature
    const md5 = checkCertificateSuitability(certs['selfSignedMd5'] as CertificateInfo, 'digitalSignature', now);
    expect(codes(md5)).toEqual(['weakSignatureAlgorithm']);
    expect(md5[0]?.message).toBe('the self-signed certificate is signed with md5WithRSAEncryption');
    expect(checkCertificateSuitability(certs['md5'] as CertificateInfo, 'digitalSignature', now)[0]?.message).toBe('the certificate is signed with md5WithRSAEncryption');
    expect(check('both', 'digitalSignature')).toEqual([]);
  });

  it('reports an issued CA certificate, not a self-signed one that says cA', () => {
    expect(check('intermediate', 'digitalSignature')).toEqual(['keyUsageMissing:digitalSignature', 'caCertificate']);
    expect(check('selfSignedCa', 'keyEncipherment')).toEqual([]);
  });

  it('returns frozen problems with a message', () => {
    const problems = checkCertificateSuitability(certs['sha1'] as CertificateInfo, 'digitalSignature', now);
    expect(Object.isFrozen(problems) && Object.isFrozen(problems[0])).toBe(true);
    expect(problems[0]?.message).toContain('sha1WithRSAEncryption');
  });

  it('refuses an invalid now or an unknown usage with CEM_ARGUMENT', () => {
    const cert = certs['both'] as CertificateInfo;
    expect(() => checkCertificateSuitability(cert, 'digitalSignature', new Date(Number.NaN))).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
    expect(() => checkCertificateSuitability(cert, 'smime' as CertUsage, now)).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
  });
});

describe('checkCertificateSuitabilityForUsages', () => {
  it('reports usage problems per usage and the others once', () => {
    const cert = certs['signOnly'] as CertificateInfo;
    const later = new Date(cert.notAfter.getTime() + 1);
    const problems = checkCertificateSuitabilityForUsages(cert, ['keyEncipherment', 'digitalSignature', 'tlsServer', 'keyEncipherment'], later, { minRsaBits: 4096 });
    expect(codes(problems)).toEqual(['keyUsageMissing:keyEncipherment', 'expired', 'weakKey']);
  });

  it('finds nothing for an empty list of usages on a sound certificate', () => {
    expect(checkCertificateSuitabilityForUsages(certs['both'] as CertificateInfo, [], now)).toEqual([]);
  });
});
