/**
 * Distinguished names: tolerant parsing, RFC 4514 formatting and comparison by meaning.
 *
 * CEM carries the issuer of a certificate as a string (`ds:X509IssuerName`, draft-14 §3.1), and
 * peers write it in many forms: RFC 4514, Windows/Java (`E=`, `S=`, spaces after commas), the
 * draft's own example order, or mendelson's filtered and reordered form. Compare issuers with
 * {@link distinguishedNamesEqual} or {@link issuerMatches}, never as strings, and echo the
 * peer's string unchanged.
 *
 * @module
 */
import type { CertificateInfo } from './types.js';
import { CN_OID } from './internal/dn-attributes.js';
import { flatKeys, isSubMultiset, rdnKeys, sameKeys } from './internal/dn-compare.js';
import { parseDn } from './internal/dn-parser.js';
import { formatAttribute } from './internal/dn-value.js';
import { isCemError } from '../errors.js';

export type { DistinguishedNameInput, DnAttribute, Rdn } from './types.js';
import type { DistinguishedNameInput, Rdn } from './types.js';

/**
 * Parses a distinguished name written in RFC 4514 / RFC 2253 form, the Java/Windows/openssl
 * "oneline" forms (`CN=x, O=y`, `;` separators, `S=`, `E=`, `EMAILADDRESS=`, `SERIALNUMBER=`,
 * `OID.2.5.4.3=`, quoted values, `\,` and `\2C` escapes, `#`-hex BER values, multi-valued RDNs
 * with `+`), newline-separated lists, or the openssl slash form (`/C=US/O=x/CN=y`).
 *
 * RDNs come back in RFC 4514 order (most significant last): as written for the comma forms,
 * reversed for the slash form. Known types get their printed name (`S` becomes `ST`, `E` becomes
 * `emailAddress`, `2.5.4.3` becomes `CN`). A separator not followed by `type=` is kept in the
 * value, so unescaped peer strings such as `O=Acme, Inc.,C=US` still parse. The empty string is
 * the empty name.
 *
 * @example
 * ```ts
 * parseDistinguishedName('CN=Cleo-SP,E=a@b.test,S=Texas,C=US')[1]
 * // [{ oid: '1.2.840.113549.1.9.1', type: 'emailAddress', value: 'a@b.test', ber: null, binary: false }]
 * ```
 * @throws CemCryptoError `CEM_DN_INVALID` when the text cannot be read as a name at all
 *   (no `type=`, an unterminated quote, a lone trailing backslash, junk after a quoted value),
 *   or when it is longer than 65,536 characters.
 * @see draft-meadors-certificate-exchange-14 §3.1 (X509IssuerName); RFC 4514 §3
 */
export function parseDistinguishedName(text: string): readonly Rdn[] {
  return Object.freeze(parseDn(text));
}

/**
 * Formats RDNs (in RFC 4514 order, most significant last) as an RFC 4514 string.
 *
 * Special characters are escaped per RFC 4514 §2.4 exactly as openssl's `-nameopt RFC2253`
 * does; non-ASCII stays UTF-8. Types without a registered name are written as dotted OIDs with
 * a `#`-hex BER value. The e-mail attribute (1.2.840.113549.1.9.1) is written `emailAddress=`
 * with its text, as openssl does: `emailAddress` is a registered LDAP descriptor and Java's
 * `X500Principal` reads it, whereas the strict `1.2.840.113549.1.9.1=#16...` form is unreadable
 * to people and to several AS2 products.
 *
 * @example
 * ```ts
 * formatDistinguishedName(parseDistinguishedName('/C=US/O=Acme, Inc./CN=x')) // 'CN=x,O=Acme\\, Inc.,C=US'
 * ```
 * @throws never
 * @see RFC 4514 §2
 */
export function formatDistinguishedName(rdns: readonly Rdn[]): string {
  return rdns.map((rdn) => rdn.map(formatAttribute).join('+')).join(',');
}

function toRdns(name: DistinguishedNameInput): readonly Rdn[] {
  return typeof name === 'string' ? parseDn(name) : name;
}

/**
 * True when two distinguished names are equal by meaning: attribute types compared by OID
 * (`E` = `EMAILADDRESS` = `emailAddress` = `1.2.840.113549.1.9.1`, `S` = `ST`), values after
 * decoding quotes and escapes, NFKC-normalised, trimmed, with internal whitespace collapsed and
 * case ignored; RDN order ignored (compared as multisets of RDNs, each RDN a set of attributes).
 * A multi-valued RDN `CN=a+UID=b` therefore differs from the two RDNs `CN=a,UID=b`; see
 * {@link issuerMatches} for the looser rule used for wire issuers.
 *
 * @example
 * ```ts
 * distinguishedNamesEqual('CN=x,S=Texas,C=US', 'c=us, st=TEXAS, cn=X') // true
 * ```
 * @throws CemCryptoError `CEM_DN_INVALID` when a string argument is unparsable.
 * @see draft-meadors-certificate-exchange-14 §3.1
 */
export function distinguishedNamesEqual(a: DistinguishedNameInput, b: DistinguishedNameInput): boolean {
  return sameKeys(rdnKeys(toRdns(a)), rdnKeys(toRdns(b)));
}

/**
 * True when an issuer string received on the wire designates the issuer of `cert` (a
 * certificate or its issuer name). It accepts exactly:
 *
 * 1. names equal by meaning ({@link distinguishedNamesEqual}); or
 * 2. (mendelson, which keeps only CN, O, OU, C, ST, L, E, in its own order) a wire name whose
 *    attributes, RDN grouping ignored, form a non-empty sub-multiset of the certificate issuer's
 *    attributes and include a CN. Dropped attributes may be of any type.
 *
 * An unparsable wire string gives `false` (peer data), never a throw. Pair this with a serial
 * number comparison: the issuer alone does not identify a certificate.
 *
 * @example
 * ```ts
 * issuerMatches('CN=Acme CA,O=Acme,C=US', 'CN=Acme CA,OU=PKI,O=Acme,DC=acme,DC=test,C=US') // true
 * issuerMatches('O=Acme,C=US', 'CN=Acme CA,O=Acme,C=US') // false: no CN
 * ```
 * @throws CemCryptoError `CEM_DN_INVALID` when `cert` is a string that is unparsable.
 * @see draft-meadors-certificate-exchange-14 §3.1, §3.2 (CertificateReference)
 */
export function issuerMatches(wire: string, cert: CertificateInfo | string): boolean {
  const certRdns = typeof cert === 'string' ? parseDn(cert) : cert.issuerRdns;
  let wireRdns: readonly Rdn[];
  try {
    wireRdns = parseDn(wire);
  } catch (error) {
    if (isCemError(error, 'CEM_DN_INVALID')) return false;
    throw error;
  }
  if (sameKeys(rdnKeys(wireRdns), rdnKeys(certRdns))) return true;
  const wireKeys = flatKeys(wireRdns);
  return (
    wireKeys.length > 0 &&
    wireKeys.some((key) => key.startsWith(`${CN_OID}\u0000`)) &&
    isSubMultiset(wireKeys, flatKeys(certRdns))
  );
}
