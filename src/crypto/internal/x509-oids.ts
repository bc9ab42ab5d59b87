/**
 * Names for the object identifiers found in certificates.
 *
 * Signature algorithm names are openssl's (`sha256WithRSAEncryption`, `ecdsa-with-SHA256`);
 * curve names are the WebCrypto/JOSE ones (`P-256`).
 *
 * @module
 */

/** Signature algorithm OID → [name, hash or null when the hash is in the parameters]. */
export const SIGNATURE_ALGORITHMS: ReadonlyMap<string, readonly [string, string | null]> = new Map([
  ['1.2.840.113549.1.1.2', ['md2WithRSAEncryption', 'md2']],
  ['1.2.840.113549.1.1.3', ['md4WithRSAEncryption', 'md4']],
  ['1.2.840.113549.1.1.4', ['md5WithRSAEncryption', 'md5']],
  ['1.2.840.113549.1.1.5', ['sha1WithRSAEncryption', 'sha1']],
  ['1.3.14.3.2.29', ['sha1WithRSA', 'sha1']],
  ['1.2.840.113549.1.1.14', ['sha224WithRSAEncryption', 'sha224']],
  ['1.2.840.113549.1.1.11', ['sha256WithRSAEncryption', 'sha256']],
  ['1.2.840.113549.1.1.12', ['sha384WithRSAEncryption', 'sha384']],
  ['1.2.840.113549.1.1.13', ['sha512WithRSAEncryption', 'sha512']],
  ['1.2.840.113549.1.1.10', ['RSASSA-PSS', null]],
  ['1.2.840.10045.4.1', ['ecdsa-with-SHA1', 'sha1']],
  ['1.2.840.10045.4.3.1', ['ecdsa-with-SHA224', 'sha224']],
  ['1.2.840.10045.4.3.2', ['ecdsa-with-SHA256', 'sha256']],
  ['1.2.840.10045.4.3.3', ['ecdsa-with-SHA384', 'sha384']],
  ['1.2.840.10045.4.3.4', ['ecdsa-with-SHA512', 'sha512']],
  ['1.2.840.10040.4.3', ['dsaWithSHA1', 'sha1']],
  ['2.16.840.1.101.3.4.3.1', ['dsa_with_SHA224', 'sha224']],
  ['2.16.840.1.101.3.4.3.2', ['dsa_with_SHA256', 'sha256']],
  ['1.3.101.112', ['Ed25519', 'sha512']],
  ['1.3.101.113', ['Ed448', 'shake256']],
]);

/** Digest algorithm OID → name (for RSASSA-PSS parameters). */
export const HASH_ALGORITHMS: ReadonlyMap<string, string> = new Map([
  ['1.2.840.113549.2.5', 'md5'],
  ['1.3.14.3.2.26', 'sha1'],
  ['2.16.840.1.101.3.4.2.4', 'sha224'],
  ['2.16.840.1.101.3.4.2.1', 'sha256'],
  ['2.16.840.1.101.3.4.2.2', 'sha384'],
  ['2.16.840.1.101.3.4.2.3', 'sha512'],
]);

/** Public key algorithm OID → name. */
export const KEY_ALGORITHMS: ReadonlyMap<string, string> = new Map([
  ['1.2.840.113549.1.1.1', 'RSA'],
  ['1.2.840.113549.1.1.10', 'RSA-PSS'],
  ['1.2.840.10045.2.1', 'EC'],
  ['1.3.101.112', 'Ed25519'],
  ['1.3.101.113', 'Ed448'],
  ['1.3.101.110', 'X25519'],
  ['1.3.101.111', 'X448'],
  ['1.2.840.10040.4.1', 'DSA'],
  ['1.2.840.10046.2.1', 'DH'],
]);

/** Key sizes of the fixed-size key algorithms, in bits. */
export const FIXED_KEY_SIZES: ReadonlyMap<string, number> = new Map([
  ['Ed25519', 256],
  ['Ed448', 448],
  ['X25519', 256],
  ['X448', 448],
]);

/** Named curve OID → [name, bits]. */
export const CURVES: ReadonlyMap<string, readonly [string, number]> = new Map([
  ['1.2.840.10045.3.1.1', ['P-192', 192]],
  ['1.3.132.0.33', ['P-224', 224]],
  ['1.2.840.10045.3.1.7', ['P-256', 256]],
  ['1.3.132.0.34', ['P-384', 384]],
  ['1.3.132.0.35', ['P-521', 521]],
  ['1.3.132.0.10', ['secp256k1', 256]],
  ['1.3.36.3.3.2.8.1.1.7', ['brainpoolP256r1', 256]],
  ['1.3.36.3.3.2.8.1.1.11', ['brainpoolP384r1', 384]],
  ['1.3.36.3.3.2.8.1.1.13', ['brainpoolP512r1', 512]],
]);

/** keyUsage names by bit number (RFC 5280 §4.2.1.3). */
export const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

/** Extended key usage OID → name (RFC 5280 §4.2.1.12). */
export const EXTENDED_KEY_USAGES: ReadonlyMap<string, string> = new Map([
  ['2.5.29.37.0', 'anyExtendedKeyUsage'],
  ['1.3.6.1.5.5.7.3.1', 'serverAuth'],
  ['1.3.6.1.5.5.7.3.2', 'clientAuth'],
  ['1.3.6.1.5.5.7.3.3', 'codeSigning'],
  ['1.3.6.1.5.5.7.3.4', 'emailProtection'],
  ['1.3.6.1.5.5.7.3.8', 'timeStamping'],
  ['1.3.6.1.5.5.7.3.9', 'OCSPSigning'],
]);
