/**
 * The message protection of the examples' AS2 stand-in: real RSA keys and signatures (RSA-OAEP
 * key transport of an AES-256-GCM key, RSA SHA-256 signatures) without the S/MIME packaging. The
 * envelope names its recipient certificate by fingerprint, as CMS names it by issuer and serial.
 * The sealing itself is the simulated AS2 network's (`ediint-cem/testing`); this module binds it
 * to the examples' keys.
 *
 * @module
 */
import { openMessage, sealMessage, type SimulatedEnvelope, type SimulatedKeyed } from '../../src/testing/as2-seal.js';
import { isExampleCertName, nameOf, privateKey } from '../certs/index.js';

export { fingerprintOfDer } from '../../src/testing/as2-seal.js';

/** A signed and encrypted message. */
export type Envelope = SimulatedEnvelope;

/** A certificate with its fingerprint and, for ours, the key reference. */
export type Keyed = SimulatedKeyed;

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
  return sealMessage(data, { der: signer.der, key: keyOf(signer.keyRef) }, recipient);
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
  return openMessage(envelope, decryptWith, verifyWith, keyOf, nameOf);
}
