/**
 * Reads the public key facts (algorithm, size, curve) and the signature algorithm of a
 * certificate from its DER, without building a key object.
 *
 * @module
 */
import { children, contentBytes, DerError, expectTag, readBitString, readOid, readSingle, type Tlv } from './der.js';
import { CURVES, FIXED_KEY_SIZES, HASH_ALGORITHMS, KEY_ALGORITHMS, SIGNATURE_ALGORITHMS } from './x509-oids.js';

/** Public key facts of a `CertificateInfo`. */
export interface KeyFacts {
  readonly keyAlgorithm: string;
  readonly keySize: number | null;
  readonly namedCurve: string | null;
}

/** Signature algorithm facts of a `CertificateInfo`. */
export interface SignatureFacts {
  readonly signatureAlgorithm: string;
  readonly signatureHash: string | null;
}

/** Bit length of an unsigned big-endian INTEGER's magnitude. */
function integerBits(tlv: Tlv | undefined, what: string): number {
  const bytes = contentBytes(expectTag(tlv, 0x02, what));
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const lead = bytes[i] ?? 0;
  return lead === 0 ? 0 : (bytes.length - i - 1) * 8 + (32 - Math.clz32(lead));
}

function ecFacts(params: Tlv | undefined, point: Uint8Array): KeyFacts {
  const curveOid = params?.tag === 0x06 ? readOid(params, 'EC curve') : null;
  const known = curveOid === null ? undefined : CURVES.get(curveOid);
  if (known) return { keyAlgorithm: 'EC', keySize: known[1], namedCurve: known[0] };
  // unknown or explicit curve: the size of an uncompressed point (04 || X || Y) gives the field size
  const fieldBytes = point[0] === 4 ? (point.length - 1) / 2 : point.length - 1;
  return { keyAlgorithm: 'EC', keySize: fieldBytes > 0 ? fieldBytes * 8 : null, namedCurve: curveOid };
}

/**
 * The parameters a public key algorithm allows (RFC 3279 §2.3, RFC 5480 §2.1.1, RFC 8410 §3,
 * RFC 4055 §1.2): NULL for rsaEncryption, a named curve OID (or explicit SEQUENCE, or NULL) for
 * EC, none for the RFC 8410 curves; other algorithms are not checked.
 */
function checkKeyParameters(oid: string, params: Tlv | undefined): void {
  const algorithm = KEY_ALGORITHMS.get(oid);
  const ok =
    algorithm === 'RSA' ? params?.tag === 0x05 :
    algorithm === 'EC' ? params !== undefined && (params.tag === 0x06 || params.tag === 0x30 || params.tag === 0x05) :
    algorithm === 'Ed25519' || algorithm === 'Ed448' || algorithm === 'X25519' || algorithm === 'X448' ? params === undefined :
    algorithm === 'RSA-PSS' || algorithm === 'DSA' ? params === undefined || params.tag === 0x30 :
    true;
  if (!ok) throw new DerError(`the parameters of the public key algorithm ${oid} are not what it allows`);
}

/** Reads a SubjectPublicKeyInfo. */
export function readKeyFacts(spki: Tlv | undefined): KeyFacts {
  const [algorithm, publicKey, extra] = children(expectTag(spki, 0x30, 'subjectPublicKeyInfo'));
  if (extra !== undefined) throw new DerError('subjectPublicKeyInfo has more than two parts');
  const [oidTlv, params, extraParam] = children(expectTag(algorithm, 0x30, 'public key algorithm'));
  const oid = readOid(oidTlv, 'public key algorithm');
  if (extraParam !== undefined) throw new DerError('the public key algorithm has more than one parameter');
  checkKeyParameters(oid, params);
  const keyBits = readBitString(publicKey, 'public key');
  const keyAlgorithm = KEY_ALGORITHMS.get(oid) ?? oid;
  switch (keyAlgorithm) {
    case 'RSA':
    case 'RSA-PSS': {
      const [modulus] = children(expectTag(readSingle(keyBits), 0x30, 'RSA public key'));
      return { keyAlgorithm, keySize: integerBits(modulus, 'RSA modulus'), namedCurve: null };
    }
    case 'EC':
      return ecFacts(params, keyBits);
    case 'DSA':
    case 'DH': {
      const p = params?.tag === 0x30 ? children(params)[0] : undefined;
      return { keyAlgorithm, keySize: p ? integerBits(p, `${keyAlgorithm} prime`) : null, namedCurve: null };
    }
    default:
      return { keyAlgorithm, keySize: FIXED_KEY_SIZES.get(keyAlgorithm) ?? null, namedCurve: null };
  }
}

/** The hash of RSASSA-PSS parameters (RFC 4055 §3.1; SHA-1 when absent). */
function pssHash(params: Tlv | undefined): string | null {
  if (params === undefined || params.tag !== 0x30) return 'sha1';
  const hash = children(params).find((c) => c.cls === 2 && c.num === 0);
  if (!hash) return 'sha1';
  const oid = readOid(children(expectTag(children(hash)[0], 0x30, 'PSS hash'))[0], 'PSS hash');
  return HASH_ALGORITHMS.get(oid) ?? oid;
}

/** Signature algorithms whose parameters are NULL or absent (RFC 3279 §2.2.1, RFC 4055 §5). */
const NULL_PARAMETERS = new Set([
  '1.2.840.113549.1.1.2', '1.2.840.113549.1.1.3', '1.2.840.113549.1.1.4', '1.2.840.113549.1.1.5', '1.3.14.3.2.29',
  '1.2.840.113549.1.1.14', '1.2.840.113549.1.1.11', '1.2.840.113549.1.1.12', '1.2.840.113549.1.1.13',
]);

/** Signature algorithms whose parameters are absent (RFC 5758 §3.1, §3.2; RFC 3279 §2.2.2; RFC 8410 §3). */
const ABSENT_PARAMETERS = new Set([
  '1.2.840.10045.4.1', '1.2.840.10045.4.3.1', '1.2.840.10045.4.3.2', '1.2.840.10045.4.3.3', '1.2.840.10045.4.3.4',
  '1.2.840.10040.4.3', '2.16.840.1.101.3.4.3.1', '2.16.840.1.101.3.4.3.2', '1.3.101.112', '1.3.101.113',
]);

/**
 * Checks a signature AlgorithmIdentifier: an OID and at most one parameter, NULL or absent for
 * RSA PKCS #1 v1.5, absent for ECDSA, DSA and EdDSA, a SEQUENCE for RSASSA-PSS.
 */
export function checkAlgorithmIdentifier(algorithm: Tlv): void {
  const [oidTlv, params, extra] = children(algorithm);
  const oid = readOid(oidTlv, 'signature algorithm');
  if (extra !== undefined) throw new DerError('the signature algorithm has more than one parameter');
  if (NULL_PARAMETERS.has(oid) && params !== undefined && params.tag !== 0x05) {
    throw new DerError(`the parameters of ${oid} must be NULL or absent`);
  }
  if (ABSENT_PARAMETERS.has(oid) && params !== undefined) throw new DerError(`the parameters of ${oid} must be absent`);
  if (oid === '1.2.840.113549.1.1.10' && params?.tag !== 0x30) throw new DerError('RSASSA-PSS needs its parameters');
}

/** Reads the outer signatureAlgorithm of a certificate. */
export function readSignatureFacts(algorithm: Tlv | undefined): SignatureFacts {
  const [oidTlv, params] = children(expectTag(algorithm, 0x30, 'signature algorithm'));
  const oid = readOid(oidTlv, 'signature algorithm');
  const known = SIGNATURE_ALGORITHMS.get(oid);
  if (!known) return { signatureAlgorithm: oid, signatureHash: null };
  return { signatureAlgorithm: known[0], signatureHash: known[1] ?? pssHash(params) };
}
