/**
 * The message protection of the simulated AS2 network: real RSA keys and signatures (RSA-OAEP
 * key transport of an AES-256-GCM key, RSA or ECDSA SHA-256 signatures) without the S/MIME
 * packaging (the real one is `ediint-cem/adapters/as2`). The envelope names its recipient
 * certificate by fingerprint, as CMS names it by issuer and serial.
 *
 * @module
 */
import { X509Certificate, constants, createCipheriv, createDecipheriv, createHash, privateDecrypt, publicEncrypt, randomBytes, sign, verify, type KeyObject } from 'node:crypto';

/** A signed and encrypted message. */
export interface SimulatedEnvelope {
  /** Fingerprint of the certificate it is encrypted to. */
  readonly recipient: string;
  readonly wrappedKey: Uint8Array;
  readonly iv: Uint8Array;
  readonly tag: Uint8Array;
  readonly ciphertext: Uint8Array;
  /** The signer's certificate (DER), as a CMS SignedData carries it. */
  readonly signerDer: Uint8Array;
  readonly signature: Uint8Array;
}

/** A certificate with its fingerprint and, for ours, the key reference. */
export interface SimulatedKeyed {
  readonly der: Uint8Array;
  readonly fingerprint: string;
  readonly keyRef?: string;
}

/** The SHA-256 fingerprint of a DER certificate, lowercase hex. */
export const fingerprintOfDer = (der: Uint8Array): string => createHash('sha256').update(der).digest('hex');

/** Signs `data` with `key` and encrypts it to `recipient`. */
export function sealMessage(data: Uint8Array, signer: { readonly der: Uint8Array; readonly key: KeyObject }, recipient: SimulatedKeyed): SimulatedEnvelope {
  const signature = sign('sha256', data, signer.key);
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
  const wrappedKey = publicEncrypt({ key: new X509Certificate(recipient.der).publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, key);
  return { recipient: recipient.fingerprint, wrappedKey, iv, tag: cipher.getAuthTag(), ciphertext, signerDer: signer.der, signature };
}

/**
 * Decrypts with whichever of `decryptWith` the envelope names (its key from `keyOf`) and
 * verifies the signature against `verifyWith`; a string says why it cannot be opened.
 */
export function openMessage(
  envelope: SimulatedEnvelope,
  decryptWith: readonly SimulatedKeyed[],
  verifyWith: readonly { readonly fingerprint: string }[],
  keyOf: (keyRef: string | undefined) => KeyObject | undefined,
  label: (fingerprint: string) => string,
): { data: Uint8Array; decryptedWith: SimulatedKeyed } | string {
  const mine = decryptWith.find((c) => c.fingerprint === envelope.recipient);
  if (mine === undefined) return `encrypted to ${label(envelope.recipient)}, which no live certificate of ours matches`;
  const privateKey = keyOf(mine.keyRef);
  if (privateKey === undefined) return `no private key for ${label(mine.fingerprint)}`;
  const key = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, envelope.wrappedKey);
  const decipher = createDecipheriv('aes-256-gcm', key, envelope.iv);
  decipher.setAuthTag(envelope.tag);
  const data = new Uint8Array(Buffer.concat([decipher.update(envelope.ciphertext), decipher.final()]));
  const signer = fingerprintOfDer(envelope.signerDer);
  if (!verifyWith.some((c) => c.fingerprint === signer)) return `signed with ${label(signer)}, which is not trusted for this partner`;
  if (!verify('sha256', data, new X509Certificate(envelope.signerDer).publicKey, envelope.signature)) return 'bad signature';
  return { data, decryptedWith: mine };
}
