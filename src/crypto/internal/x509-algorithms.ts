/**
 * Reads the public key facts (algorithm, size, curve) and the signature algorithm of a
 * certificate from its DER, without building a key object.
 *
 * @module
 */
import { children, contentBytes, expectTag, readBitString, readOid, readSingle, type Tlv } from './der.js';
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

/** Reads a SubjectPublicKeyInfo. */
export function readKeyFacts(spki: Tlv | undefined): KeyFacts {
  const [algorithm, publicKey] = children(expectTag(spki, 0x30, 'subjectPublicKeyInfo'));
  const [oidTlv, params] = children(expectTag(algorithm, 0x30, 'public key algorithm'));
  const oid = readOid(oidTlv, 'public key algorithm');
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

/** Reads the outer signatureAlgorithm of a certificate. */
export function readSignatureFacts(algorithm: Tlv | undefined): SignatureFacts {
  const [oidTlv, params] = children(expectTag(algorithm, 0x30, 'signature algorithm'));
  const oid = readOid(oidTlv, 'signature algorithm');
  const known = SIGNATURE_ALGORITHMS.get(oid);
  if (!known) return { signatureAlgorithm: oid, signatureHash: null };
  return { signatureAlgorithm: known[0], signatureHash: known[1] ?? pssHash(params) };
}
