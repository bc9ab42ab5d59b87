/**
 * Attribute values of distinguished names: `#`-hex BER values of every character-string type,
 * values that are not character strings, RFC 4514 escaping, and the UTF8String BER written for
 * types without a name. Written for the gaps the mutation run of src/crypto/internal/dn-value.ts
 * found.
 */
import { describe, expect, it } from 'vitest';
import { formatDistinguishedName, parseDistinguishedName, type DnAttribute } from '../../src/crypto/dn.js';
import { readSingle } from '../../src/crypto/internal/der.js';
import { readName } from '../../src/crypto/internal/name.js';

const first = (text: string): DnAttribute => parseDistinguishedName(text)[0]![0]!;
const text = (value: string): DnAttribute => ({ oid: '2.5.4.3', type: 'CN', value, ber: null, binary: false });
const format = (attribute: DnAttribute): string => formatDistinguishedName([[attribute]]);

describe('#-hex values of character-string types', () => {
  it.each([
    ['NumericString', '12', '1203313233', '123'],
    ['PrintableString', '13', '1303616263', 'abc'],
    ['T61String (8-bit as Latin-1)', '14', '1404636166e9', 'café'],
    ['VideotexString', '15', '1503616263', 'abc'],
    ['IA5String', '16', '1603616263', 'abc'],
    ['GraphicString', '19', '1903616263', 'abc'],
    ['VisibleString', '1a', '1a03616263', 'abc'],
    ['GeneralString', '1b', '1b03616263', 'abc'],
    ['UTF8String', '0c', '0c03c3a961', 'éa'],
    ['BMPString', '1e', '1e0400e90061', 'éa'],
    ['UniversalString', '1c', '1c080001f60000000061', '\u{1F600}a'],
    ['an empty BMPString', '1e', '1e00', ''],
  ])('decodes a %s (tag %s)', (_name, _tag, hex, value) => {
    expect(first(`CN=#${hex}`)).toEqual({ oid: '2.5.4.3', type: 'CN', value, ber: hex, binary: false });
  });

  it.each([
    ['a UTF8String that is not UTF-8', '0c01ff'],
    ['a BMPString of odd length', '1e0300e961'],
    ['a UniversalString whose length is not a multiple of 4', '1c0600000061ffff'],
    ['a UniversalString past U+10FFFF', '1c0400110000'],
    ['an INTEGER', '020105'],
    ['an OCTET STRING', '0402abcd'],
    ['a context-specific [12] (not a UTF8String)', '8c0161'],
    ['an application [19] (not a PrintableString)', '530161'],
  ])('keeps %s as binary BER', (_name, hex) => {
    const attribute = first(`CN=#${hex}`);
    expect(attribute).toEqual({ oid: '2.5.4.3', type: 'CN', value: `#${hex}`, ber: hex, binary: true });
    expect(format(attribute)).toBe(`CN=#${hex}`);
  });

  it.each([
    ['no hex at all', 'CN=#', '#'],
    ['an odd number of digits', 'CN=#0c0', '#0c0'],
    ['bytes after the BER value', 'CN=#0c016100', '#0c016100'],
    ['a truncated BER value', 'CN=#0c0561', '#0c0561'],
    ['hex followed by other text', 'CN=#0c0161x', '#0c0161x'],
  ])('reads a # with %s as literal text', (_name, dn, value) => {
    expect(first(dn)).toEqual({ oid: '2.5.4.3', type: 'CN', value, ber: null, binary: false });
  });

  it('reads upper-case hex, and hex followed by blanks and a separator', () => {
    expect(first('CN=#0C0161 ,O=x')).toEqual({ oid: '2.5.4.3', type: 'CN', value: 'a', ber: '0c0161', binary: false });
  });
});

describe('RFC 4514 escaping when formatting', () => {
  it.each([
    ['every special character', 'a,b+c"d\\e<f>g;h', 'CN=a\\,b\\+c\\"d\\\\e\\<f\\>g\\;h'],
    ['a leading # and a leading space', '#x', 'CN=\\#x'],
    ['a leading space', ' x', 'CN=\\ x'],
    ['a trailing space', 'x ', 'CN=x\\ '],
    ['a single space (leading and trailing)', ' ', 'CN=\\ '],
    ['inner spaces and # (not escaped)', 'a # b', 'CN=a # b'],
    ['control characters and DEL as \\XX', 'a\u0001b\nc\u001fd\u007fe\u0000', 'CN=a\\01b\\0Ac\\1Fd\\7Fe\\00'],
    ['non-ASCII (kept as UTF-8)', 'Zoë ✓', 'CN=Zoë ✓'],
    ['the empty value', '', 'CN='],
  ])('escapes %s', (_name, value, rfc4514) => {
    expect(format(text(value))).toBe(rfc4514);
  });

  it('reads every escaped form back to the same value', () => {
    for (const value of ['a,b+c"d\\e<f>g;h', '#x', ' x ', 'a\u0001b\nc\u007f', '  ']) {
      expect(first(format(text(value))).value).toBe(value);
    }
  });
});

describe('types without a name are written as a dotted OID with UTF8String BER', () => {
  const unnamed = (value: string): DnAttribute => ({ oid: '1.2.3.4', type: '1.2.3.4', value, ber: null, binary: false });

  it.each([
    [0, '0c00'],
    [1, '0c01'],
    [127, '0c7f'],
    [128, '0c8180'],
    [255, '0c81ff'],
    [256, '0c820100'],
    [65535, '0c82ffff'],
    [65536, '0c83010000'],
    [70000, '0c83011170'],
  ])('uses the DER length form for %i bytes', (n, header) => {
    const formatted = format(unnamed('a'.repeat(n)));
    expect(formatted.startsWith(`1.2.3.4=#${header}`)).toBe(true);
    expect(formatted.length).toBe('1.2.3.4=#'.length + header.length + 2 * n);
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(format(unnamed('é'))).toBe('1.2.3.4=#0c02c3a9');
  });

  it('writes a value read as BER with that BER, a binary value as its BER whatever its type', () => {
    expect(format(first('1.2.3.4=#130161'))).toBe('1.2.3.4=#130161');
    expect(format({ oid: '2.5.4.3', type: 'CN', value: '#0201ff', ber: '0201ff', binary: true })).toBe('CN=#0201ff');
    expect(format({ oid: '2.5.4.3', type: 'CN', value: 'x', ber: '0c0178', binary: false })).toBe('CN=x');
  });
});

describe('more value edges', () => {
  it('reads an odd number of hex digits as text even when dropping the last one would give BER', () => {
    expect(first('CN=#0c01615')).toEqual({ oid: '2.5.4.3', type: 'CN', value: '#0c01615', ber: null, binary: false });
  });

  it('writes only a type that is a whole dotted OID with multi-digit arcs as hex', () => {
    const typed = (type: string): DnAttribute => ({ oid: type, type, value: 'v', ber: null, binary: false });
    expect(format(typed('12.345.6'))).toBe('12.345.6=#0c0176');
    expect(format(typed('a1.2'))).toBe('a1.2=v');
    expect(format(typed('1.2a'))).toBe('1.2a=v');
    expect(format(typed('12'))).toBe('12=v');
  });

  it('writes a binary attribute without BER as its text', () => {
    expect(format({ oid: '2.5.4.3', type: 'CN', value: 'x', ber: null, binary: true })).toBe('CN=x');
  });
});

describe('the last code point', () => {
  it('decodes U+10FFFF in a UniversalString', () => {
    expect(first('CN=#1c040010ffff')).toMatchObject({ value: '\u{10ffff}', binary: false });
  });
});

describe('attributes read from a DER Name', () => {
  const nameOf = (atv: string): Uint8Array => {
    const seq = `30${(atv.length / 2).toString(16).padStart(2, '0')}${atv}`;
    const set = `31${(seq.length / 2).toString(16).padStart(2, '0')}${seq}`;
    const name = `30${(set.length / 2).toString(16).padStart(2, '0')}${set}`;
    return Uint8Array.from(name.match(/../g) as string[], (h) => parseInt(h, 16));
  };

  it('take the short name of a known attribute type, and the OID of an unknown one', () => {
    expect(readName(readSingle(nameOf('0603550403' + '0c03616263')))).toEqual([[{ oid: '2.5.4.3', type: 'CN', value: 'abc', ber: '0c03616263', binary: false }]]);
    expect(readName(readSingle(nameOf('06032a0304' + '0c03616263')))).toEqual([[{ oid: '1.2.3.4', type: '1.2.3.4', value: 'abc', ber: '0c03616263', binary: false }]]);
  });
});
