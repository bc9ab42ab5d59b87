/**
 * The tolerant distinguished-name parser at its edges: `\HH` escape runs that are or are not
 * UTF-8 (every boundary of the UTF-8 ranges), blanks that end a value, separators, quoted values,
 * the slash form, the length cap and the error messages. Written for the gaps the mutation run of
 * src/crypto/internal/dn-parser.ts found.
 */
import { describe, expect, it } from 'vitest';
import { parseDistinguishedName } from '../../src/crypto/dn.js';

const values = (text: string): string[][] => parseDistinguishedName(text).map((rdn) => rdn.map((a) => `${a.type}=${a.value}`));
const value = (text: string): string => parseDistinguishedName(text)[0]![0]!.value;
const latin1 = (...bytes: number[]): string => String.fromCharCode(...bytes);

describe('\\HH escapes: UTF-8 when well-formed, else Latin-1', () => {
  it.each([
    ['ASCII', '\\41\\42', 'AB'],
    ['the smallest 2-byte sequence', '\\C2\\80', '\u0080'],
    ['the largest 2-byte sequence', '\\DF\\BF', '\u07ff'],
    ['the smallest 3-byte sequence', '\\E0\\A0\\80', '\u0800'],
    ['the last code point before the surrogates', '\\ED\\9F\\BF', '\ud7ff'],
    ['the largest 3-byte sequence', '\\EF\\BF\\BF', '\uffff'],
    ['the smallest 4-byte sequence', '\\F0\\90\\80\\80', '\u{10000}'],
    ['the largest code point', '\\F4\\8F\\BF\\BF', '\u{10ffff}'],
    ['UTF-8 followed by text', '\\C3\\A9t\\C3\\A9', 'été'],
  ])('reads %s as UTF-8', (_name, escaped, expected) => {
    expect(value(`CN=${escaped}`)).toBe(expected);
  });

  it.each([
    ['an overlong 2-byte form', '\\C1\\BF', [0xc1, 0xbf]],
    ['a lone continuation byte', '\\80', [0x80]],
    ['an overlong 3-byte form', '\\E0\\9F\\BF', [0xe0, 0x9f, 0xbf]],
    ['a surrogate', '\\ED\\A0\\80', [0xed, 0xa0, 0x80]],
    ['an overlong 4-byte form', '\\F0\\8F\\BF\\BF', [0xf0, 0x8f, 0xbf, 0xbf]],
    ['a code point past U+10FFFF', '\\F4\\90\\80\\80', [0xf4, 0x90, 0x80, 0x80]],
    ['a lead byte past F4', '\\F5\\80\\80\\80', [0xf5, 0x80, 0x80, 0x80]],
    ['a truncated 2-byte sequence', '\\C3', [0xc3]],
    ['a truncated 3-byte sequence', '\\E2\\82', [0xe2, 0x82]],
    ['a truncated 4-byte sequence', '\\F0\\9F\\98', [0xf0, 0x9f, 0x98]],
    ['a lead byte followed by a non-continuation byte', '\\C3\\41', [0xc3, 0x41]],
    ['a 3-byte sequence with a bad last byte', '\\E2\\82\\41', [0xe2, 0x82, 0x41]],
    ['a 4-byte sequence with a bad last byte', '\\F0\\9F\\98\\41', [0xf0, 0x9f, 0x98, 0x41]],
    ['a valid sequence followed by a lone continuation byte', '\\C3\\A9\\A9', [0xc3, 0xa9, 0xa9]],
  ])('reads %s as Latin-1', (_name, escaped, bytes) => {
    expect(value(`CN=${escaped}`)).toBe(latin1(...bytes));
  });

  it('decodes each escape run on its own, split by text', () => {
    expect(value('CN=\\C3x\\C3\\A9')).toBe(`${latin1(0xc3)}xé`);
  });

  it('decodes escapes inside a quoted value, and in the slash form with \\xHH', () => {
    expect(value('CN="\\C3\\A9 \\2C"')).toBe('é ,');
    expect(value('/CN=\\xC3\\xA9\\x41')).toBe('éA');
    expect(value('/CN=caf\\xE9')).toBe('café');
  });
});

describe('blanks, separators and quotes', () => {
  it('drops unescaped trailing blanks and tabs, keeps escaped and inner ones', () => {
    expect(value('CN=a b \t ')).toBe('a b');
    expect(value('CN=a\\20')).toBe('a ');
    expect(value('CN=a\\ \t')).toBe('a ');
    expect(value('CN=\t a')).toBe('a');
  });

  it('ignores a separator at the end, and blanks around = and separators', () => {
    expect(values('CN=x,')).toEqual([['CN=x']]);
    expect(values('CN=x ; ')).toEqual([['CN=x']]);
    expect(values('CN=x+\n')).toEqual([['CN=x']]);
    expect(values('CN \t= x \t, O\t=y')).toEqual([['CN=x'], ['O=y']]);
    expect(values(' \n CN=x')).toEqual([['CN=x']]);
  });

  it('keeps a separator not followed by type= in the value, over runs of separators and newlines', () => {
    expect(values('O=a,,b,C=US')).toEqual([['O=a,,b'], ['C=US']]);
    expect(values('O=a;b+c,C=US')).toEqual([['O=a;b+c'], ['C=US']]);
    expect(values('O=a\n\n\nC=US\r\nCN=x')).toEqual([['O=a'], ['C=US'], ['CN=x']]);
    expect(values('O=a, = b,C=US')).toEqual([['O=a, = b'], ['C=US']]);
  });

  it('reads multi-valued RDNs with + in any form', () => {
    expect(values('CN=a + UID=b;O=c')).toEqual([['CN=a', 'UID=b'], ['O=c']]);
  });

  it('reads quoted values with blanks around them, escapes and doubled quotes inside', () => {
    expect(values('CN = "a, b" , O="x\\"y""z"')).toEqual([['CN=a, b'], ['O=x"y"z']]);
    expect(value('CN="  a  "')).toBe('  a  ');
    expect(value('CN=""')).toBe('');
  });

  it('reads keywords with digits, - and _', () => {
    expect(parseDistinguishedName('x-y_1=v')[0]![0]).toMatchObject({ oid: 'X-Y_1', type: 'x-y_1', value: 'v' });
  });

  it('reads a surrogate pair after a backslash as one character', () => {
    expect(value('CN=\\😀x')).toBe('😀x');
    expect(value('/CN=\\😀x')).toBe('😀x');
  });
});

describe('the slash form', () => {
  it.each([
    ['a trailing slash', '/C=US/CN=x/', [['CN=x'], ['C=US']]],
    ['trailing blanks', '/C=US/CN=x  ', [['CN=x'], ['C=US']]],
    ['a trailing slash and blanks', '/C=US/CN=x/  ', [['CN=x'], ['C=US']]],
    ['a slash not followed by type=', '/O=a/b/CN=x', [['CN=x'], ['O=a/b']]],
    ['an escaped slash', '/O=a\\/b/CN=x', [['CN=x'], ['O=a/b']]],
    ['a multi-valued RDN', '/CN=a+UID=b/O=c', [['O=c'], ['CN=a', 'UID=b']]],
    ['a + not followed by type=', '/CN=a+b/O=c', [['O=c'], ['CN=a+b']]],
    ['blanks around values', '/CN= x /O=c', [['O=c'], ['CN=x']]],
    ['an escaped character', '/CN=a\\,b', [['CN=a,b']]],
  ] as const)('reads %s', (_name, text, expected) => {
    expect(values(text)).toEqual(expected);
  });

  it('refuses a lone trailing backslash instead of dropping the last RDN', () => {
    for (const text of ['/CN=a\\', '/C=US/CN=x\\', '/C=US/CN=a+UID=b\\']) {
      expect(() => parseDistinguishedName(text)).toThrow(expect.objectContaining({ code: 'CEM_DN_INVALID', message: expect.stringContaining('lone backslash') }));
    }
    expect(values('/C=US/CN=x\\\\')).toEqual([['CN=x\\'], ['C=US']]);
  });

  it('refuses a lone slash and an empty component', () => {
    expect(() => parseDistinguishedName('/')).toThrow(expect.objectContaining({ code: 'CEM_DN_INVALID', message: expect.stringContaining('expected "type=" in ""') }));
  });
});

describe('errors and limits', () => {
  it.each([
    ['no type', 'just text', 'expected "type=" at offset 0 of the distinguished name'],
    ['no type after a separator', 'CN="a",=y', 'expected "type=" at offset 7 of the distinguished name'],
    ['text after a quoted value', 'CN="a" b', 'unexpected "b" at offset 7 of the distinguished name'],
    ['an unterminated quote', 'CN="a', 'distinguished name has an unterminated quoted value'],
    ['a lone trailing backslash', 'CN=a\\', 'distinguished name ends with a lone backslash'],
    ['a slash component without type', '/=y/CN=x', 'expected "type=" in "=y"'],
  ])('refuses %s with a message saying where', (_name, text, message) => {
    expect(() => parseDistinguishedName(text)).toThrow(expect.objectContaining({ code: 'CEM_DN_INVALID', message: expect.stringContaining(message) }));
  });

  it('reads a name of exactly 65,536 characters and refuses one longer', () => {
    const at = `CN=${'a'.repeat(65_533)}`;
    expect(value(at)).toHaveLength(65_533);
    expect(() => parseDistinguishedName(`${at}a`)).toThrow(expect.objectContaining({ code: 'CEM_DN_INVALID', message: expect.stringContaining('65537 characters, more than 65536') }));
  });
});

describe('more parser edges', () => {
  it('reads UTF-8 escapes ending in an ASCII byte as UTF-8', () => {
    expect(value('CN=\\C3\\A9\\41')).toBe('éA');
  });

  it('keeps a separator that follows another one as the separator when type= comes next', () => {
    expect(values('O=a,,C=US')).toEqual([['O=a,'], ['C=US']]);
    expect(values('O=a;;,C=US')).toEqual([['O=a;;'], ['C=US']]);
  });

  it('reads a value that only looks like BER after its first character as text', () => {
    expect(value('CN=x0c0161')).toBe('x0c0161');
  });

  it('keeps a doubled quote at the end of a quoted value', () => {
    expect(value('CN="ab"""')).toBe('ab"');
  });

  it('reads dotted OIDs with multi-digit arcs', () => {
    expect(parseDistinguishedName('12.345.6=v')[0]![0]).toMatchObject({ oid: '12.345.6', type: '12.345.6', value: 'v' });
  });

  it('reads U+FFFF after a backslash as one character', () => {
    expect(value('CN=\\\uffffx')).toBe('\uffffx');
  });
});

describe('escape runs of continuation bytes, and escapes in the slash form', () => {
  it.each([
    ['three continuation bytes', '\\80\\80\\80', [0x80, 0x80, 0x80]],
    ['four continuation bytes', '\\80\\80\\80\\80', [0x80, 0x80, 0x80, 0x80]],
    ['an invalid lead byte C0 before continuation bytes', '\\C0\\80\\80', [0xc0, 0x80, 0x80]],
  ])('reads %s as Latin-1', (_name, escaped, bytes) => {
    expect(value(`CN=${escaped}`)).toBe(latin1(...bytes));
  });

  it('does not split the slash form at an escaped / or + even when type= follows', () => {
    expect(values('/O=a\\/CN=b')).toEqual([['O=a/CN=b']]);
    expect(values('/CN=a\\+UID=b/C=US')).toEqual([['C=US'], ['CN=a+UID=b']]);
  });

  it('reads xHH without a backslash in the slash form as text', () => {
    expect(value('/CN=ax41')).toBe('ax41');
  });

  it('reads U+FFFF in the slash form as one character, escaped or not', () => {
    expect(value('/CN=\\\uffffx')).toBe('\uffffx');
    expect(value('/CN=\uffffx')).toBe('\uffffx');
  });
});
