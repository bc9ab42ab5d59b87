/**
 * The shape checks of untrusted event data (`src/state/validate.ts`) on their own: the exact
 * answer for each kind of value, one field wrong at a time.
 */
import { describe, expect, it } from 'vitest';
import { isCertificateInfo, isLocalInput, isOneOf, isRecord, isText, isValidDate } from '../../src/state/validate.js';
import { makeCert } from './fixtures.js';

describe('validate: isRecord', () => {
  it('accepts plain objects only', () => {
    expect(isRecord({})).toBe(true);
    expect(isRecord({ a: 1 })).toBe(true);
    expect(isRecord(null)).toBe(false);
    expect(isRecord(undefined)).toBe(false);
    expect(isRecord([])).toBe(false);
    expect(isRecord([1])).toBe(false);
    expect(isRecord('x')).toBe(false);
    expect(isRecord(1)).toBe(false);
  });
});

describe('validate: isText', () => {
  it('needs a string with a non-blank character', () => {
    expect(isText('a')).toBe(true);
    expect(isText(' a ')).toBe(true);
    expect(isText('')).toBe(false);
    expect(isText(' \t\n')).toBe(false);
    expect(isText(1)).toBe(false);
    expect(isText(null)).toBe(false);
    expect(isText(['a'])).toBe(false);
  });
});

describe('validate: isValidDate', () => {
  it('needs a Date with a finite time', () => {
    expect(isValidDate(new Date(0))).toBe(true);
    expect(isValidDate(new Date('x'))).toBe(false);
    expect(isValidDate(0)).toBe(false);
    expect(isValidDate('2026-01-01T00:00:00Z')).toBe(false);
    expect(isValidDate({ getTime: () => 0 })).toBe(false);
  });
});

describe('validate: isCertificateInfo', () => {
  const cert = makeCert();
  const base = { sha256: cert.sha256, subject: 'CN=a', issuer: 'CN=b', serial: '7', notBefore: new Date(0), notAfter: new Date(1) };

  it('accepts the fields the lifecycle relies on, an empty subject and issuer too', () => {
    expect(isCertificateInfo(cert)).toBe(true);
    expect(isCertificateInfo(base)).toBe(true);
    expect(isCertificateInfo({ ...base, subject: '', issuer: '' })).toBe(true);
  });

  it('refuses a value with any one field wrong', () => {
    expect(isCertificateInfo(null)).toBe(false);
    expect(isCertificateInfo([base])).toBe(false);
    expect(isCertificateInfo({ ...base, sha256: ' ' })).toBe(false);
    expect(isCertificateInfo({ ...base, sha256: undefined })).toBe(false);
    expect(isCertificateInfo({ ...base, subject: undefined })).toBe(false);
    expect(isCertificateInfo({ ...base, subject: 1 })).toBe(false);
    expect(isCertificateInfo({ ...base, issuer: undefined })).toBe(false);
    expect(isCertificateInfo({ ...base, issuer: null })).toBe(false);
    expect(isCertificateInfo({ ...base, serial: '' })).toBe(false);
    expect(isCertificateInfo({ ...base, serial: 7 })).toBe(false);
    expect(isCertificateInfo({ ...base, notBefore: new Date('x') })).toBe(false);
    expect(isCertificateInfo({ ...base, notBefore: 0 })).toBe(false);
    expect(isCertificateInfo({ ...base, notAfter: new Date('x') })).toBe(false);
    expect(isCertificateInfo({ ...base, notAfter: '2029-01-01' })).toBe(false);
  });
});

describe('validate: isLocalInput', () => {
  const certificate = makeCert();

  it('accepts a certificate with no key reference or a string one', () => {
    expect(isLocalInput({ certificate })).toBe(true);
    expect(isLocalInput({ certificate, keyRef: undefined })).toBe(true);
    expect(isLocalInput({ certificate, keyRef: 'hsm:17' })).toBe(true);
    expect(isLocalInput({ certificate, keyRef: '' })).toBe(true);
  });

  it('refuses a malformed certificate or key reference', () => {
    expect(isLocalInput(null)).toBe(false);
    expect(isLocalInput([{ certificate }])).toBe(false);
    expect(isLocalInput({})).toBe(false);
    expect(isLocalInput({ certificate: { ...certificate, sha256: '' } })).toBe(false);
    expect(isLocalInput({ certificate, keyRef: 17 })).toBe(false);
    expect(isLocalInput({ certificate, keyRef: null })).toBe(false);
  });
});

describe('validate: isOneOf', () => {
  it('accepts exactly the listed strings', () => {
    expect(isOneOf('AS2', ['AS2', 'AS3'])).toBe(true);
    expect(isOneOf('AS3', ['AS2', 'AS3'])).toBe(true);
    expect(isOneOf('as2', ['AS2', 'AS3'])).toBe(false);
    expect(isOneOf('AS4', ['AS2', 'AS3'])).toBe(false);
    expect(isOneOf('', ['AS2'])).toBe(false);
    expect(isOneOf(['AS2'], ['AS2'])).toBe(false);
    expect(isOneOf(2, ['2'])).toBe(false);
  });
});
