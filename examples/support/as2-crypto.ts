/**
 * The message protection of the examples' AS2 stand-in: real RSA keys and signatures (RSA-OAEP
 * key transport of an AES-256-GCM key, RSA SHA-256 signatures) without the S/MIME packaging. The
 * envelope names its recipient certificate by fingerprint, as CMS names it by issuer and serial.
 *
 * @module
 */
import { X509Certificate, createCipheriv, createDecipheriv, constants, publicEncrypt, privateDecrypt, randomBytes, sign, verify } from 'node:crypto';
import { isExampleCertName, nameOf, privateKey } from '../certs/index.js';

/** A signed and encrypted message. */
export interface Envelope {
  /** Fingerprint of the certificate it is encrypted to. */
  readonly recipient: string;
  readonly wrappedKey: Buffer;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
  /** The signer's certificate (DER), as a CMS SignedData carries it. */
  readonly signerDer: Uint8Array;
  readonly signature: Buffer;
}

/** A certificate with its fingerprint and, for ours, the key reference. */
export interface Keyed {
  readonly der: Uint8Array;
  readonly fingerprint: string;
  readonly keyRef?: string;
}

/**
 * The fingerprint of a DER certificate, lowercase hex.
 *
 * @example
 * ```ts
 * fingerprintOfDer(resolved.signOutbound.der) === resolved.signOutbound.fingerprint
 * ```
 */
export const fingerprintOfDer = (der: Uint8Array): string => new X509Certificate(der).fingerprint256.replaceAll(':', '').toLowerCase();

function keyOf(ref: string | undefined): ReturnType<typeof privateKey> {
  if (!isExampleCertName(ref)) throw new Error(`no private key for key reference ${String(ref)}`);
  return privateKey(ref);
}

/**
 * Signs `data` with the key behind `signer.keyRef` and encrypts it to `recipient`.
 *
 * @example
 * ```ts
 * const envelope = seal(body, resolved.signOutbound, resolved.encryptOutbound)
 * ```
 * @throws Error when the signer's key reference names no example key.
 */
export function seal(data: Uint8Array, signer: Keyed, recipient: Keyed): Envelope {
  const signature = sign('sha256', data, keyOf(signer.keyRef));
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
  const wrappedKey = publicEncrypt({ key: new X509Certificate(recipient.der).publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, key);
  return { recipient: recipient.fingerprint, wrappedKey, iv, tag: cipher.getAuthTag(), ciphertext, signerDer: signer.der, signature };
}

/**
 * Decrypts with whichever of `decryptWith` the envelope names and verifies the signature against
 * `verifyWith`; a string says why it cannot be opened.
 *
 * @example
 * ```ts
 * const opened = open(envelope, resolved.decryptInbound, resolved.verifyInbound)
 * if (typeof opened === 'string') refuse(opened)
 * ```
 */
export function open(envelope: Envelope, decryptWith: readonly Keyed[], verifyWith: readonly { readonly fingerprint: string }[]): { data: Uint8Array; decryptedWith: Keyed } | string {
  const mine = decryptWith.find((c) => c.fingerprint === envelope.recipient);
  if (mine === undefined) return `encrypted to ${nameOf(envelope.recipient)}, which no live certificate of ours matches`;
  const key = privateDecrypt({ key: keyOf(mine.keyRef), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, envelope.wrappedKey);
  const decipher = createDecipheriv('aes-256-gcm', key, envelope.iv);
  decipher.setAuthTag(envelope.tag);
  const data = new Uint8Array(Buffer.concat([decipher.update(envelope.ciphertext), decipher.final()]));
  const signer = fingerprintOfDer(envelope.signerDer);
  if (!verifyWith.some((c) => c.fingerprint === signer)) return `signed with ${nameOf(signer)}, which is not trusted for this partner`;
  if (!verify('sha256', data, new X509Certificate(envelope.signerDer).publicKey, envelope.signature)) return 'bad signature';
  return { data, decryptedWith: mine };
}
