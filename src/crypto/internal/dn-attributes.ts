/**
 * Attribute types of distinguished names: dotted OID, the name we print, and the keywords we read.
 *
 * Printed names are the RFC 4514 §3 short names (CN, L, ST, O, OU, C, STREET, DC, UID) and, for
 * other types, the descriptors openssl prints with `-nameopt RFC2253` (registered in the IANA LDAP
 * descriptor registry, e.g. `emailAddress`, `serialNumber`), so our strings equal openssl's and
 * Java's `X500Principal` reads them. Keywords are matched case-insensitively and include the
 * Windows/Java/BouncyCastle spellings found in the wild (`S`, `E`, `EMAIL`, `T`, `G`).
 *
 * `SN` is read as surname (RFC 4519), not as BouncyCastle's serialNumber alias.
 *
 * @module
 */

/** [dotted OID, printed name, ...other keywords]. */
const TABLE: readonly (readonly string[])[] = [
  ['2.5.4.3', 'CN', 'commonName'],
  ['2.5.4.4', 'SN', 'surname'],
  ['2.5.4.5', 'serialNumber', 'deviceSerialNumber'],
  ['2.5.4.6', 'C', 'countryName'],
  ['2.5.4.7', 'L', 'localityName'],
  ['2.5.4.8', 'ST', 'S', 'stateOrProvinceName'],
  ['2.5.4.9', 'STREET', 'streetAddress'],
  ['2.5.4.10', 'O', 'organizationName'],
  ['2.5.4.11', 'OU', 'organizationalUnitName'],
  ['2.5.4.12', 'title', 'T'],
  ['2.5.4.13', 'description'],
  ['2.5.4.15', 'businessCategory'],
  ['2.5.4.16', 'postalAddress'],
  ['2.5.4.17', 'postalCode'],
  ['2.5.4.18', 'postOfficeBox'],
  ['2.5.4.20', 'telephoneNumber'],
  ['2.5.4.41', 'name'],
  ['2.5.4.42', 'GN', 'givenName', 'G'],
  ['2.5.4.43', 'initials', 'I'],
  ['2.5.4.44', 'generationQualifier'],
  ['2.5.4.45', 'x500UniqueIdentifier'],
  ['2.5.4.46', 'dnQualifier'],
  ['2.5.4.65', 'pseudonym'],
  ['2.5.4.72', 'role'],
  ['2.5.4.97', 'organizationIdentifier'],
  ['0.9.2342.19200300.100.1.1', 'UID', 'userId'],
  ['0.9.2342.19200300.100.1.25', 'DC', 'domainComponent'],
  ['1.2.840.113549.1.9.1', 'emailAddress', 'E', 'EMAIL'],
  ['1.2.840.113549.1.9.2', 'unstructuredName'],
  ['1.2.840.113549.1.9.8', 'unstructuredAddress'],
  ['1.3.6.1.4.1.311.60.2.1.1', 'jurisdictionL'],
  ['1.3.6.1.4.1.311.60.2.1.2', 'jurisdictionST'],
  ['1.3.6.1.4.1.311.60.2.1.3', 'jurisdictionC'],
];

const NAME_BY_OID: ReadonlyMap<string, string> = new Map(TABLE.map((row) => [row[0] as string, row[1] as string]));
const OID_BY_KEYWORD: ReadonlyMap<string, string> = new Map(
  TABLE.flatMap((row) => row.slice(1).map((keyword) => [keyword.toUpperCase(), row[0] as string] as const)),
);

/** The OID of `commonName`. */
export const CN_OID = '2.5.4.3';

/** The printed name of an attribute type, or `undefined` when we know no name for it. */
export function attributeName(oid: string): string | undefined {
  return NAME_BY_OID.get(oid);
}

/** The OID for a keyword (case-insensitive), or `undefined` when unknown. */
export function keywordOid(keyword: string): string | undefined {
  return OID_BY_KEYWORD.get(keyword.toUpperCase());
}
