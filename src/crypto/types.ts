/**
 * The types the crypto modules share (certificates, distinguished names, CMS identifiers), in a
 * leaf module that imports nothing, so the readers and their internals do not import each other
 * for types. Each is re-exported by the module that produces it.
 *
 * @module
 */

/**
 * A keyUsage bit name.
 *
 * @example
 * ```ts
 * cert.keyUsage.includes('keyEncipherment')
 * ```
 * @see RFC 5280 §4.2.1.3
 */
export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

/**
 * Public key algorithm of a certificate; unknown algorithms are given as their dotted OID.
 *
 * @example
 * ```ts
 * if (cert.keyAlgorithm === 'EC') console.log(cert.namedCurve) // 'P-256'
 * ```
 * @see RFC 5280 §4.1.2.7; RFC 8410
 */
export type KeyAlgorithm = 'RSA' | 'RSA-PSS' | 'EC' | 'Ed25519' | 'Ed448' | 'X25519' | 'X448' | 'DSA' | 'DH' | (string & {});

/**
 * What the SDK knows about one certificate. A frozen plain object; `der` is a private copy
 * (typed arrays cannot be frozen: do not write to it), and the two `Date`s are fresh objects.
 *
 * @example
 * ```ts
 * const cert: CertificateInfo = readCertificate(der)
 * const wireId = { issuer: cert.issuer, serial: cert.serial } // ds:X509IssuerName / ds:X509SerialNumber
 * ```
 * @see draft-meadors-certificate-exchange-14 §3.1; RFC 5280 §4.1
 */
export interface CertificateInfo {
  /** The certificate's DER bytes (a copy of the input). */
  readonly der: Uint8Array;
  /** X.509 version (1, 2 or 3). */
  readonly version: number;
  /** Subject in RFC 4514 form (most significant RDN last), as `openssl -nameopt RFC2253,-esc_msb` prints it. */
  readonly subject: string;
  /** Issuer in RFC 4514 form; use this for `ds:X509IssuerName` (draft-14 §3.1). */
  readonly issuer: string;
  /** The parsed subject (RFC 4514 order). */
  readonly subjectRdns: readonly Rdn[];
  /** The parsed issuer (RFC 4514 order). */
  readonly issuerRdns: readonly Rdn[];
  /** Serial number as a decimal string (no leading zeros; `-` first if negative). */
  readonly serial: string;
  /** Serial number value in lowercase hex, even number of digits (`-` first if negative). */
  readonly serialHex: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SHA-256 of the DER, lowercase hex without colons. */
  readonly sha256: string;
  /** SHA-1 of the DER, lowercase hex without colons. */
  readonly sha1: string;
  readonly keyAlgorithm: KeyAlgorithm;
  /** RSA/DSA modulus bits, EC curve bits, 256/448 for Ed25519/X25519 and Ed448/X448; else null. */
  readonly keySize: number | null;
  /** EC curve (`P-256`, `P-384`, `P-521`, `secp256k1`, `brainpoolP256r1`, ... or a dotted OID); null otherwise. */
  readonly namedCurve: string | null;
  /** openssl's name of the signature algorithm (`sha256WithRSAEncryption`, `ecdsa-with-SHA256`, `RSASSA-PSS`, ...) or its OID. */
  readonly signatureAlgorithm: string;
  /** Digest of the signature (`md5`, `sha1`, `sha256`, ...), from the PSS parameters for RSASSA-PSS; null if unknown. */
  readonly signatureHash: string | null;
  /** keyUsage bits set; empty when the extension is absent (see `keyUsagePresent`). */
  readonly keyUsage: readonly KeyUsageName[];
  /** True when the keyUsage extension is present (absent means unrestricted). */
  readonly keyUsagePresent: boolean;
  /** extendedKeyUsage purposes (`serverAuth`, `clientAuth`, `emailProtection`, `codeSigning`, `timeStamping`, `OCSPSigning`, `anyExtendedKeyUsage`, else the dotted OID). */
  readonly extendedKeyUsage: readonly string[];
  /** True when the extendedKeyUsage extension is present (absent means unrestricted). */
  readonly extendedKeyUsagePresent: boolean;
  /** basicConstraints cA. */
  readonly isCA: boolean;
  /** Subject equals issuer by meaning and the signature verifies with the certificate's own key. */
  readonly selfSigned: boolean;
  /** subjectKeyIdentifier, lowercase hex, or null. */
  readonly subjectKeyIdentifier: string | null;
  /** authorityKeyIdentifier keyIdentifier, lowercase hex, or null. */
  readonly authorityKeyIdentifier: string | null;
}

/**
 * One attribute (type and value) of a distinguished name.
 *
 * @example
 * ```ts
 * const [[cn]] = parseDistinguishedName('CN=as2.acme.test')
 * cn // { oid: '2.5.4.3', type: 'CN', value: 'as2.acme.test', ber: null, binary: false }
 * ```
 * @see RFC 4514 §2.3
 */
export interface DnAttribute {
  /** Dotted OID of the type; for a keyword this library does not know, the keyword in upper case. */
  readonly oid: string;
  /** Printed name (`CN`, `ST`, `emailAddress`, ...), else the dotted OID (or the unknown keyword). */
  readonly type: string;
  /** The decoded text; for a value that is not a character string, `#` and the BER in hex. */
  readonly value: string;
  /** Lowercase hex of the value's BER encoding when known (from a certificate or `#hex` text). */
  readonly ber: string | null;
  /** True when the value is not a character string (then `value` is `#` + `ber`). */
  readonly binary: boolean;
}

/**
 * A relative distinguished name: one or more attributes (several when written with `+`).
 *
 * @example
 * ```ts
 * parseDistinguishedName('CN=x+UID=7,O=Acme')[0]?.length // 2
 * ```
 * @see RFC 4514 §2.2
 */
export type Rdn = readonly DnAttribute[];

/**
 * A distinguished name as text in any supported form, or already parsed.
 *
 * @example
 * ```ts
 * distinguishedNamesEqual(wireIssuer, cert.issuerRdns)
 * ```
 */
export type DistinguishedNameInput = string | readonly Rdn[];

/**
 * Identifies a certificate by issuer and serial number, or by subject key identifier.
 *
 * @example
 * ```ts
 * const id: SignerId = { kind: 'issuerSerial', issuer: 'CN=Acme CA,O=Acme,C=US', serial: '4096' }
 * ```
 * @see RFC 5652 §5.3 (SignerIdentifier), §10.2.4 (IssuerAndSerialNumber)
 */
export type SignerId =
  | {
      readonly kind: 'issuerSerial';
      /** Issuer in RFC 4514 form. */
      readonly issuer: string;
      /** Serial number, decimal. */
      readonly serial: string;
    }
  | {
      readonly kind: 'subjectKeyIdentifier';
      /** Lowercase hex. */
      readonly keyId: string;
    };

/**
 * A recipient: a {@link SignerId}-like identifier, or a RecipientInfo kind without one.
 *
 * @example
 * ```ts
 * const ids: RecipientId[] = getRecipientIdentifiers(body)
 * const forKeys = ids.filter((id) => id.kind !== 'other')
 * ```
 * @see RFC 5652 §6.2
 */
export type RecipientId =
  | SignerId
  | {
      readonly kind: 'other';
      /** KEKRecipientInfo, PasswordRecipientInfo or OtherRecipientInfo. */
      readonly recipientInfo: 'kekri' | 'pwri' | 'ori';
    };
