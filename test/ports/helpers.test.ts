import { describe, expect, it } from 'vitest';
import { assertJsonValue, cloneJson } from '../../src/ports/json.js';
import { isContentId, isRequestId } from '../../src/ports/ids.js';
import { isStoreKey, storeKey } from '../../src/ports/store.js';
import { certificateAttachment } from '../../src/ports/transport.js';

class Point {
  x = 1;
}

describe('assertJsonValue', () => {
  it.each([
    ['a Date', { at: new Date(0) }],
    ['undefined', { a: undefined }],
    ['NaN', [Number.NaN]],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a bigint', 1n],
    ['a function', { f: () => 1 }],
    ['a class instance', new Point()],
    ['a Uint8Array', new Uint8Array(1)],
    ['a sparse array', [1, , 3]],
  ])('refuses %s with CEM_ARGUMENT', (_name, value) => {
    expect(() => assertJsonValue(value)).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
  });

  it('refuses a cycle but accepts a shared, acyclic branch', () => {
    const shared = { n: 1 };
    expect(() => assertJsonValue({ a: shared, b: shared })).not.toThrow();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => assertJsonValue(cyclic)).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
  });

  it('names the offending path', () => {
    expect(() => assertJsonValue({ list: [{ ok: 1 }, { bad: undefined }] })).toThrow('$.list[1].bad');
  });
});

describe('cloneJson', () => {
  it('returns an equal, deeply frozen copy', () => {
    const value = { a: [1, { b: 'c' }], n: null };
    const copy = cloneJson(value);
    expect(copy).toEqual(value);
    expect(copy).not.toBe(value);
    expect(Object.isFrozen(copy.a[1])).toBe(true);
  });
});

describe('store keys', () => {
  it('accepts printable ASCII segments and refuses empty segments, control and non-ASCII characters', () => {
    expect(isStoreKey('relationships/acme corp/requests/req-1')).toBe(true);
    for (const bad of ['', '/a', 'a/', 'a//b', 'tab\there', 'é', 'x'.repeat(1025)]) expect(isStoreKey(bad)).toBe(false);
  });

  it('escapes raw segments so that the key is valid and / only separates', () => {
    const key = storeKey('relationships', 'Acme/EU', 'Grüße');
    expect(isStoreKey(key)).toBe(true);
    expect(key.split('/').map(decodeURIComponent)).toEqual(['relationships', 'Acme/EU', 'Grüße']);
    expect(() => storeKey('relationships', '')).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
  });
});

describe('id checks', () => {
  it('bounds requestIds to 1–255 characters without control characters', () => {
    expect([isRequestId('r'), isRequestId('r'.repeat(255))]).toEqual([true, true]);
    expect([isRequestId(''), isRequestId('r'.repeat(256)), isRequestId('a\nb')]).toEqual([false, false, false]);
  });

  it('accepts only bare local@domain Content-IDs', () => {
    expect(isContentId('cert.1+x@as2.example.test')).toBe(true);
    for (const bad of ['<a@b>', 'cid:a@b', 'a b@c', 'a@', '@b', 'a@b@c', 'a..b@c']) expect(isContentId(bad)).toBe(false);
  });
});

describe('certificateAttachment', () => {
  it('types .p7c as certs-only PKCS#7 and .cer as a single certificate', () => {
    const der = Uint8Array.from([0x30]);
    expect(certificateAttachment('me.p7c', der).contentType).toBe('application/pkcs7-mime; smime-type=certs-only');
    expect(certificateAttachment('ME.P7B', der).contentType).toBe('application/pkcs7-mime; smime-type=certs-only');
    expect(certificateAttachment('me.cer', der).contentType).toBe('application/pkix-cert');
  });
});
