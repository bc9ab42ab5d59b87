/**
 * The attribute types of distinguished names, every one: the keywords we read (any case), the
 * OID they stand for, and the name we print (RFC 4514 §3 short names, else the descriptors
 * openssl prints with `-nameopt RFC2253`). Written for the gaps the mutation run of
 * src/crypto/internal/dn-attributes.ts found (only a few types were exercised).
 */
import { describe, expect, it } from 'vitest';
import { formatDistinguishedName, parseDistinguishedName, type DnAttribute } from '../../src/crypto/dn.js';

/** [OID, printed name, other keywords read]. */
const TYPES: readonly (readonly [string, string, readonly string[]])[] = [
  ['2.5.4.3', 'CN', ['commonName']],
  ['2.5.4.4', 'SN', ['surname']],
  ['2.5.4.5', 'serialNumber', ['deviceSerialNumber']],
  ['2.5.4.6', 'C', ['countryName']],
  ['2.5.4.7', 'L', ['localityName']],
  ['2.5.4.8', 'ST', ['S', 'stateOrProvinceName']],
  ['2.5.4.9', 'STREET', ['streetAddress']],
  ['2.5.4.10', 'O', ['organizationName']],
  ['2.5.4.11', 'OU', ['organizationalUnitName']],
  ['2.5.4.12', 'title', ['T']],
  ['2.5.4.13', 'description', []],
  ['2.5.4.15', 'businessCategory', []],
  ['2.5.4.16', 'postalAddress', []],
  ['2.5.4.17', 'postalCode', []],
  ['2.5.4.18', 'postOfficeBox', []],
  ['2.5.4.20', 'telephoneNumber', []],
  ['2.5.4.41', 'name', []],
  ['2.5.4.42', 'GN', ['givenName', 'G']],
  ['2.5.4.43', 'initials', ['I']],
  ['2.5.4.44', 'generationQualifier', []],
  ['2.5.4.45', 'x500UniqueIdentifier', []],
  ['2.5.4.46', 'dnQualifier', []],
  ['2.5.4.65', 'pseudonym', []],
  ['2.5.4.72', 'role', []],
  ['2.5.4.97', 'organizationIdentifier', []],
  ['0.9.2342.19200300.100.1.1', 'UID', ['userId']],
  ['0.9.2342.19200300.100.1.25', 'DC', ['domainComponent']],
  ['1.2.840.113549.1.9.1', 'emailAddress', ['E', 'EMAIL']],
  ['1.2.840.113549.1.9.2', 'unstructuredName', []],
  ['1.2.840.113549.1.9.8', 'unstructuredAddress', []],
  ['1.3.6.1.4.1.311.60.2.1.1', 'jurisdictionL', []],
  ['1.3.6.1.4.1.311.60.2.1.2', 'jurisdictionST', []],
  ['1.3.6.1.4.1.311.60.2.1.3', 'jurisdictionC', []],
];

const first = (text: string): DnAttribute => parseDistinguishedName(text)[0]![0]!;

describe('distinguished-name attribute types', () => {
  it.each(TYPES)('%s is printed %s and read from its name, its other keywords (any case) and its dotted OID', (oid, name, keywords) => {
    for (const keyword of [name, ...keywords]) {
      for (const spelling of [keyword, keyword.toLowerCase(), keyword.toUpperCase()]) {
        expect(first(`${spelling}=v`)).toEqual({ oid, type: name, value: 'v', ber: null, binary: false });
      }
    }
    expect(first(`${oid}=v`)).toMatchObject({ oid, type: name, value: 'v' });
    expect(first(`OID.${oid}=v`)).toMatchObject({ oid, type: name });
    expect(formatDistinguishedName(parseDistinguishedName(`OID.${oid}=v`))).toBe(`${name}=v`);
  });

  it('keeps an unknown keyword (upper-cased as its key) and an unknown dotted OID as they are written', () => {
    expect(first('xTitle=v')).toEqual({ oid: 'XTITLE', type: 'xTitle', value: 'v', ber: null, binary: false });
    expect(first('1.2.3.4=v')).toEqual({ oid: '1.2.3.4', type: '1.2.3.4', value: 'v', ber: null, binary: false });
    expect(formatDistinguishedName(parseDistinguishedName('1.2.3.4=v'))).toBe('1.2.3.4=#0c0176');
  });
});
