import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCertificate, type CertificateInfo } from '../../src/crypto/certificate.js';
import {
  distinguishedNamesEqual,
  formatDistinguishedName,
  issuerMatches,
  parseDistinguishedName,
  type DnAttribute,
  type Rdn,
} from '../../src/crypto/dn.js';
import { makeCert, type TestCert } from '../helpers/pki.js';

const [DRAFT_CLEO_ISSUER, DRAFT_VERISIGN_ISSUER] = readFileSync(
  new URL('../fixtures/crypto/draft14-issuers.txt', import.meta.url),
  'utf8',
).split('\n') as [string, string];

const BASE = 'CN=as2.acme.test,OU=B2B,O=Acme,L=Fort Worth,ST=Texas,C=US';

describe('parseDistinguishedName', () => {
  it.each([
    ['RFC 4514', BASE, BASE],
    ['spaces after commas and around =', 'CN = as2.acme.test, OU=B2B , O=Acme', 'CN=as2.acme.test,OU=B2B,O=Acme'],
    ['semicolon separators', 'CN=x;O=y', 'CN=x,O=y'],
    ['the openssl slash form (reversed into RFC 4514 order)', '/C=US/O=Acme/CN=x', 'CN=x,O=Acme,C=US'],
    ['Windows keywords S and E', 'E=a@b.test, S=Texas', 'emailAddress=a@b.test,ST=Texas'],
    ['EMAILADDRESS and emailAddress', 'EMAILADDRESS=a@b.test,emailAddress=c@d.test', 'emailAddress=a@b.test,emailAddress=c@d.test'],
    ['SERIALNUMBER, DC, UID, T, G, SN', 'SERIALNUMBER=7,DC=acme,UID=u,T=Dr,G=Ann,SN=Lee', 'serialNumber=7,DC=acme,UID=u,title=Dr,GN=Ann,SN=Lee'],
    ['OID. prefixed and dotted types', 'OID.2.5.4.3=x,2.5.4.10=Acme', 'CN=x,O=Acme'],
    ['a quoted value', 'O="Acme, Inc.",C=US', 'O=Acme\\, Inc.,C=US'],
    ['escaped quotes inside quotes', 'CN="say \\"hi\\""', 'CN=say \\"hi\\"'],
    ['doubled quotes inside quotes (Windows)', 'O="Acme ""Best"" Inc.", C=US', 'O=Acme \\"Best\\" Inc.,C=US'],
    ['an escaped comma', 'O=Acme\\, Inc.,C=US', 'O=Acme\\, Inc.,C=US'],
    ['hex escapes as UTF-8', 'O=Acme\\2C Inc.,CN=Jos\\C3\\A9', 'O=Acme\\, Inc.,CN=José'],
    ['hex escapes that are not UTF-8, as Latin-1', 'CN=caf\\E9', 'CN=café'],
    ['a #-hex BER value', 'CN=#0c03616263,O=#130441636d65', 'CN=abc,O=Acme'],
    ['a multi-valued RDN', 'CN=x+UID=u,O=y', 'CN=x+UID=u,O=y'],
    ['newline-separated (node:crypto) lists', 'C=US\nO=Acme\\, Inc. + OU=x\nCN=y', 'C=US,O=Acme\\, Inc.+OU=x,CN=y'],
    ['unescaped commas that do not start an attribute (peers that do not escape)', 'O=Acme, Inc.,C=US', 'O=Acme\\, Inc.,C=US'],
    ['a # that is not BER, as text', 'CN=#lead', 'CN=\\#lead'],
    ['an empty value', 'CN=,O=x', 'CN=,O=x'],
    ['escaped leading and trailing spaces', 'CN=\\ x\\ ', 'CN=\\ x\\ '],
    ['unescaped outer spaces, dropped', 'CN=  x  ,O=y', 'CN=x,O=y'],
  ])('reads %s', (_, text, rfc4514) => {
    expect(formatDistinguishedName(parseDistinguishedName(text))).toBe(rfc4514);
  });

  it('maps keywords to OIDs and keeps unknown keywords comparable by name', () => {
    const [cn, email, st, unknown] = parseDistinguishedName('cn=x,E=a@b,S=TX,FOO=bar').map((rdn) => rdn[0] as DnAttribute);
    expect(cn).toMatchObject({ oid: '2.5.4.3', type: 'CN' });
    expect(email).toMatchObject({ oid: '1.2.840.113549.1.9.1', type: 'emailAddress' });
    expect(st).toMatchObject({ oid: '2.5.4.8', type: 'ST' });
    expect(unknown).toMatchObject({ oid: 'FOO', type: 'FOO', value: 'bar' });
  });

  it('keeps a non-string #-hex value as binary BER', () => {
    const [[attribute]] = parseDistinguishedName('2.5.4.45=#030200ff') as [[DnAttribute]];
    expect(attribute).toEqual({ oid: '2.5.4.45', type: 'x500UniqueIdentifier', value: '#030200ff', ber: '030200ff', binary: true });
    expect(formatDistinguishedName([[attribute]])).toBe('x500UniqueIdentifier=#030200ff');
  });

  it('reads the empty string as the empty name', () => {
    expect(parseDistinguishedName('  ')).toEqual([]);
  });

  it.each([
    ['no type', 'just text'],
    ['an empty type', '=x'],
    ['an unterminated quote', 'CN="abc'],
    ['a lone trailing backslash', 'CN=abc\\'],
    ['text after a quoted value', 'CN="a"b'],
    ['a slash component without type', '/=x/CN=y'],
    ['a bad type', 'C N=x'],
  ])('refuses %s with CEM_DN_INVALID', (_, text) => {
    expect(() => parseDistinguishedName(text)).toThrow(expect.objectContaining({ code: 'CEM_DN_INVALID' }));
  });
});

describe('distinguishedNamesEqual', () => {
  it.each([
    ['reversed', 'C=US,ST=Texas,L=Fort Worth,O=Acme,OU=B2B,CN=as2.acme.test'],
    ['shuffled', 'O=Acme,CN=as2.acme.test,C=US,OU=B2B,ST=Texas,L=Fort Worth'],
    ['in the slash form', '/C=US/ST=Texas/L=Fort Worth/O=Acme/OU=B2B/CN=as2.acme.test'],
    ['with S instead of ST', 'CN=as2.acme.test,OU=B2B,O=Acme,L=Fort Worth,S=Texas,C=US'],
    ['in other case and spacing', 'cn=AS2.ACME.TEST, ou = b2b, o=acme,  l=Fort   Worth ,st=TEXAS,c=us'],
    ['with quoted values', 'CN="as2.acme.test",OU=B2B,O="Acme",L="Fort Worth",ST=Texas,C=US'],
    ['with hex escapes', 'CN=as2\\2Eacme.test,OU=B2B,O=\\41cme,L=Fort\\20Worth,ST=Texas,C=US'],
    ['with #-hex values', 'CN=as2.acme.test,OU=B2B,O=#130441636d65,L=Fort Worth,ST=Texas,C=#13025553'],
    ['with dotted types', '2.5.4.3=as2.acme.test,2.5.4.11=B2B,OID.2.5.4.10=Acme,L=Fort Worth,ST=Texas,C=US'],
  ])('holds for the same name %s', (_, other) => {
    expect(distinguishedNamesEqual(BASE, other)).toBe(true);
  });

  it('treats E, EMAIL, EMAILADDRESS, emailAddress and the OID as one type', () => {
    const forms = ['E=a@b.test', 'EMAIL=a@b.test', 'EMAILADDRESS=a@b.test', 'emailAddress=A@B.test', 'OID.1.2.840.113549.1.9.1=a@b.test', '1.2.840.113549.1.9.1=#16086140622e74657374'];
    for (const form of forms) expect(distinguishedNamesEqual(`CN=x,${form}`, 'emailAddress=a@b.test,CN=x')).toBe(true);
  });

  it('ignores attribute order inside a multi-valued RDN', () => {
    expect(distinguishedNamesEqual('CN=x+UID=u,O=y', 'O=y,UID=u+CN=x')).toBe(true);
  });

  it.each([
    ['a different value', 'CN=as2.acme.test,OU=B2C,O=Acme,L=Fort Worth,ST=Texas,C=US'],
    ['an extra attribute', `${BASE},DC=acme`],
    ['a missing attribute', 'CN=as2.acme.test,O=Acme,L=Fort Worth,ST=Texas,C=US'],
    ['a duplicated attribute', `${BASE},C=US`],
    ['the value under another type', 'CN=as2.acme.test,O=B2B,O=Acme,L=Fort Worth,ST=Texas,C=US'],
    ['a multi-valued RDN split in two', 'CN=as2.acme.test+OU=B2B,O=Acme,L=Fort Worth,ST=Texas,C=US'],
  ])('fails for %s', (_, other) => {
    expect(distinguishedNamesEqual(BASE, other)).toBe(false);
  });

  it('throws CEM_DN_INVALID for an unparsable string', () => {
    expect(() => distinguishedNamesEqual('CN="x', BASE)).toThrow(expect.objectContaining({ code: 'CEM_DN_INVALID' }));
  });
});

describe("the draft's example issuers against real certificates", () => {
  let cleoLeaf: CertificateInfo;
  let verisignLeaf: CertificateInfo;
  let cleoCa: TestCert;

  beforeAll(() => {
    cleoCa = makeCert({
      subject: '/C=US/ST=Texas/L=Ft. Worth/OU=DGI/O=DGI/emailAddress=as2selfpacedsupport@drummondgroup.com/CN=Cleo-SP',
      ca: true,
      bits: 1024,
    });
    const verisignCa = makeCert({
      subject: '/O=VeriSign, Inc./OU=VeriSign Trust Network/OU=www.verisign.com\\/repository\\/RPA Incorp. By Ref.,LIAB.LTD(c)98/CN=VeriSign Class 1 CA Individual Subscriber-Persona Not Validated',
      ca: true,
      bits: 1024,
    });
    cleoLeaf = readCertificate(makeCert({ subject: '/CN=leaf1', issuer: cleoCa, bits: 1024 }).der);
    verisignLeaf = readCertificate(makeCert({ subject: '/CN=leaf2', issuer: verisignCa, bits: 1024 }).der);
  });

  it('matches the A.2 Cleo issuer with the RFC 4514 issuer of the certificate', () => {
    expect(cleoLeaf.issuer).toBe('CN=Cleo-SP,emailAddress=as2selfpacedsupport@drummondgroup.com,O=DGI,OU=DGI,L=Ft. Worth,ST=Texas,C=US');
    expect(distinguishedNamesEqual(DRAFT_CLEO_ISSUER, cleoLeaf.issuer)).toBe(true);
    expect(distinguishedNamesEqual(DRAFT_CLEO_ISSUER, cleoLeaf.issuerRdns)).toBe(true);
    expect(issuerMatches(DRAFT_CLEO_ISSUER, cleoLeaf)).toBe(true);
  });

  it('matches the A.2 VeriSign issuer (escaped commas, slashes in values)', () => {
    expect(distinguishedNamesEqual(DRAFT_VERISIGN_ISSUER, verisignLeaf.issuer)).toBe(true);
    expect(issuerMatches(DRAFT_VERISIGN_ISSUER, verisignLeaf)).toBe(true);
    expect(issuerMatches(DRAFT_VERISIGN_ISSUER, cleoLeaf)).toBe(false);
  });

  it("matches mendelson's reordered CN,O,OU,C,ST,L,E form", () => {
    const mendelson = 'CN=Cleo-SP,O=DGI,OU=DGI,C=US,ST=Texas,L=Ft. Worth,E=as2selfpacedsupport@drummondgroup.com';
    expect(issuerMatches(mendelson, cleoLeaf)).toBe(true);
    expect(distinguishedNamesEqual(mendelson, cleoLeaf.issuer)).toBe(true);
  });
});

describe('issuerMatches', () => {
  const certIssuer = 'CN=Acme Issuing CA,OU=PKI,O=Acme,DC=acme,DC=test,serialNumber=99,STREET=1 Main,C=US';

  it('accepts a name equal by meaning', () => {
    expect(issuerMatches('c=us, street=1 main, serialNumber=99, dc=test, dc=acme, o=acme, ou=pki, cn=acme issuing ca', certIssuer)).toBe(true);
  });

  it('accepts a filtered name that keeps the CN (mendelson drops DC, serialNumber, STREET)', () => {
    expect(issuerMatches('CN=Acme Issuing CA,O=Acme,OU=PKI,C=US', certIssuer)).toBe(true);
    expect(issuerMatches('CN=Acme Issuing CA', certIssuer)).toBe(true);
  });

  it('accepts a multi-valued RDN written as separate RDNs', () => {
    expect(issuerMatches('CN=Acme CA,UID=7,O=Acme', 'CN=Acme CA+UID=7,O=Acme')).toBe(true);
  });

  it.each([
    ['a filtered name without CN', 'O=Acme,OU=PKI,C=US'],
    ['a different CN', 'CN=Other CA,O=Acme,C=US'],
    ['an attribute the certificate lacks', 'CN=Acme Issuing CA,O=Acme,L=Dallas'],
    ['a duplicated attribute', 'CN=Acme Issuing CA,O=Acme,O=Acme'],
    ['an empty name', ''],
    ['an unparsable name (no throw)', 'CN="broken'],
  ])('refuses %s', (_, wire) => {
    expect(issuerMatches(wire, certIssuer)).toBe(false);
  });

  it('throws CEM_DN_INVALID when the certificate side is an unparsable string', () => {
    expect(() => issuerMatches('CN=x', 'CN="x')).toThrow(expect.objectContaining({ code: 'CEM_DN_INVALID' }));
  });
});

describe('formatting and parsing agree (properties)', () => {
  const types = ['CN', 'O', 'OU', 'L', 'ST', 'C', 'STREET', 'emailAddress', 'DC', 'UID', 'serialNumber', '1.3.6.1.4.1.99999.7'];
  const oidOf = (type: string): string => (parseDistinguishedName(`${type}=x`)[0]?.[0] as DnAttribute).oid;
  const char = fc.oneof(
    fc.constantFrom(',', '+', '"', '\\', '<', '>', ';', '#', '=', ' ', '/', '\t', '\n', '\u0000', '\u0001', 'é', '漢', '😀', '\u00a0'),
    fc.string({ minLength: 1, maxLength: 1 }),
  );
  const value = fc.array(char, { maxLength: 12 }).map((chars) => chars.join(''));
  const attribute = fc.record({ type: fc.constantFrom(...types), value });
  const name = fc.array(fc.array(attribute, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 });
  const toRdns = (raw: { type: string; value: string }[][]): Rdn[] =>
    raw.map((rdn) => rdn.map((a) => ({ oid: oidOf(a.type), type: a.type, value: a.value, ber: null, binary: false })));

  it('parse(format(name)) gives back every type and value exactly', () => {
    fc.assert(
      fc.property(name, (raw) => {
        const rdns = toRdns(raw);
        const parsed = parseDistinguishedName(formatDistinguishedName(rdns));
        expect(parsed.map((rdn) => rdn.map((a) => [a.oid, a.value]))).toEqual(rdns.map((rdn) => rdn.map((a) => [a.oid, a.value])));
        expect(distinguishedNamesEqual(formatDistinguishedName(rdns), rdns)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('a shuffled name is equal, a changed value is not', () => {
    fc.assert(
      fc.property(name, fc.infiniteStream(fc.nat()), (raw, randoms) => {
        const rdns = toRdns(raw);
        const iterator = randoms[Symbol.iterator]();
        const shuffle = <T>(items: readonly T[]): T[] => {
          const out = [...items];
          for (let i = out.length - 1; i > 0; i--) {
            const j = (iterator.next().value as number) % (i + 1);
            [out[i], out[j]] = [out[j] as T, out[i] as T];
          }
          return out;
        };
        const shuffled = shuffle(rdns.map((rdn) => shuffle(rdn)));
        expect(distinguishedNamesEqual(formatDistinguishedName(rdns), formatDistinguishedName(shuffled))).toBe(true);
        const changed = rdns.map((rdn, i) => (i === 0 ? [{ ...(rdn[0] as DnAttribute), value: `${(rdn[0] as DnAttribute).value}Z` }, ...rdn.slice(1)] : rdn));
        expect(distinguishedNamesEqual(formatDistinguishedName(rdns), formatDistinguishedName(changed))).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
