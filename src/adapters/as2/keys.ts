/**
 * Certificates and private keys as the AS2 adapter takes them (PEM or DER), and the pkijs crypto
 * engine it uses, built on node's WebCrypto and passed to every pkijs call: the adapter never
 * sets pkijs's global engine.
 *
 * @module
 */
import { createHash, createPrivateKey, webcrypto, type KeyObject } from 'node:crypto';
import * as pkijs from 'pkijs';
import { CemArgumentError } from '../../errors.js';
import { readCertificate } from '../../crypto/certificate.js';

/** A certificate: PEM text or DER bytes. */
export type As2CertificateInput = string | Uint8Array;

/** A private key: PEM text (PKCS#8 or PKCS#1), PKCS#8 DER bytes, or a node `KeyObject`. */
export type As2PrivateKeyInput = string | Uint8Array | KeyObject;

let engine: pkijs.CryptoEngine | undefined;

/** The adapter's own pkijs engine over node's WebCrypto (created on first use). */
export function cryptoEngine(): pkijs.CryptoEngine {
  engine ??= new pkijs.CryptoEngine({ name: 'node-webcrypto', crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'] });
  return engine;
}

/** A fresh ArrayBuffer holding `bytes` (pkijs and asn1js take ArrayBuffers). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}

/** DER of a certificate given as PEM or DER. */
export function certificateDer(input: As2CertificateInput): Uint8Array {
  return readCertificate(input).der;
}

/** Lowercase hex SHA-256 of DER bytes (a certificate's fingerprint). */
export function fingerprintOf(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/** A pkijs certificate from DER. */
export function pkijsCertificate(der: Uint8Array): pkijs.Certificate {
  try {
    return pkijs.Certificate.fromBER(toArrayBuffer(der));
  } catch (error) {
    throw new CemArgumentError('not a readable X.509 certificate', { cause: error });
  }
}

/** A node private key from PEM, DER or a KeyObject. */
export function privateKeyObject(input: As2PrivateKeyInput): KeyObject {
  try {
    if (typeof input === 'string') return createPrivateKey(input);
    if (input instanceof Uint8Array) return createPrivateKey({ key: Buffer.from(input), format: 'der', type: 'pkcs8' });
    if (input.type !== 'private') throw new Error('not a private key');
    return input;
  } catch (error) {
    throw new CemArgumentError('not a readable private key (PEM, or PKCS#8 DER)', { cause: error });
  }
}

type ImportAlgorithm = Parameters<pkijs.CryptoEngine['importKey']>[2];

const CURVES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** A WebCrypto signing key for `hash` (RSA PKCS#1 v1.5 or ECDSA). */
export async function signingKey(key: KeyObject, hash: string): Promise<webcrypto.CryptoKey> {
  const pkcs8 = key.export({ format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType === 'rsa') {
    return cryptoEngine().importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash: { name: hash } } as ImportAlgorithm, false, ['sign']);
  }
  if (key.asymmetricKeyType === 'ec') {
    const curve = CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (curve === undefined) throw new CemArgumentError(`unsupported EC curve ${key.asymmetricKeyDetails?.namedCurve ?? '?'}`);
    return cryptoEngine().importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: curve } as ImportAlgorithm, false, ['sign']);
  }
  throw new CemArgumentError(`unsupported signing key type ${key.asymmetricKeyType ?? '?'} (RSA or EC)`);
}
