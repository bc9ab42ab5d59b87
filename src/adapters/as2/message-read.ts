/**
 * Reading inbound AS2 messages: unwraps encryption (EnvelopedData, each candidate key in turn),
 * signatures (`multipart/signed`, each trusted certificate in turn) and compression, and computes
 * the MIC to return (RFC 4130 §7.3.1). Failures are returned with the MDN disposition modifier
 * they call for (RFC 4130 §7.4.3), never thrown.
 *
 * @module
 */
import { inflateSync } from 'node:zlib';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { isCemError } from '../../errors.js';
import { concatBytes, utf8 } from '../../messages/mime/internal/bytes.js';
import { decryptEnveloped, type DecryptionCandidate } from './cms-enveloped.js';
import { verifyLeniently, type MicAlgorithm } from './cms-signed.js';
import { headerValue, type As2HeaderInput } from './headers.js';
import { toArrayBuffer } from './keys.js';
import { computeMic } from './message-build.js';
import { readMultipartSigned, splitEntity } from './mime.js';

/** Why a message could not be read: the `processed/error` modifier of the MDN (RFC 4130 §7.4.3). */
export type As2FailureModifier = 'decryption-failed' | 'authentication-failed' | 'integrity-check-failed' | 'decompression-failed' | 'insufficient-message-security' | 'unexpected-processing-error';

/** What the reader needs: our decryption keys, the partner's trusted signing certificates, what the agreement requires. */
export interface As2ReadOptions {
  readonly decrypt: readonly DecryptionCandidate[];
  readonly verify: readonly Uint8Array[];
  /** Refuse unsigned messages (`insufficient-message-security`); true by default. */
  readonly requireSigned?: boolean;
  /** Refuse unencrypted messages; true by default. */
  readonly requireEncrypted?: boolean;
  /** The MIC algorithms the sender asked for, in order (first known one is used). */
  readonly micalgs?: readonly MicAlgorithm[];
  /** Largest decrypted or decompressed entity, 16 MiB by default. */
  readonly maxBytes?: number;
}

/** A message read. */
export interface As2ReadSuccess {
  readonly ok: true;
  /** The payload entity: header fields and body, as the AS2 layer under the signature carried it. */
  readonly entity: Uint8Array;
  readonly contentType: string;
  /** The payload body, transfer encoding removed. */
  readonly body: Uint8Array;
  /** Our certificate that decrypted it, `null` when it was not encrypted. */
  readonly decryptedWith: Uint8Array | null;
  readonly cipher: string | null;
  /** The partner certificate that verified its signature, `null` when unsigned. */
  readonly verifiedWith: Uint8Array | null;
  readonly digest: MicAlgorithm | null;
  readonly compressed: boolean;
  readonly mic: { readonly value: string; readonly algorithm: MicAlgorithm };
}

/** A message that could not be read. */
export interface As2ReadFailure {
  readonly ok: false;
  readonly modifier: As2FailureModifier;
  readonly detail: string;
  /** The MIC, when the content could be reached. */
  readonly mic: { readonly value: string; readonly algorithm: MicAlgorithm } | null;
}

const ID_COMPRESSED = '1.2.840.113549.1.9.16.1.9';

function decompress(der: Uint8Array, maxBytes: number): Uint8Array {
  const info = pkijs.ContentInfo.fromBER(toArrayBuffer(der));
  if (info.contentType !== ID_COMPRESSED) throw new Error(`content type ${info.contentType} is not CompressedData`);
  const seq = info.content as asn1js.Sequence;
  const encap = new pkijs.EncapsulatedContentInfo({ schema: seq.valueBlock.value[2] });
  const alg = new pkijs.AlgorithmIdentifier({ schema: seq.valueBlock.value[1] });
  if (alg.algorithmId !== '1.2.840.113549.1.9.16.3.8') throw new Error(`unsupported compression ${alg.algorithmId}`);
  if (encap.eContent === undefined) throw new Error('no compressed content');
  return new Uint8Array(inflateSync(Buffer.from(encap.eContent.getValue()), { maxOutputLength: maxBytes }));
}

const fail = (modifier: As2FailureModifier, detail: string, mic: As2ReadFailure['mic'] = null): As2ReadFailure => ({ ok: false, modifier, detail, mic });

/**
 * Reads an AS2 message from its HTTP headers and body.
 *
 * @example
 * ```ts
 * const read = await readAs2Message(req.headers, body, { decrypt: [{ certificate, key }], verify: [partnerDer] })
 * if (!read.ok) answer(`processed/error: ${read.modifier}`)
 * ```
 * @throws never: every problem is an {@link As2ReadFailure}.
 */
export async function readAs2Message(headers: As2HeaderInput, body: Uint8Array, options: As2ReadOptions): Promise<As2ReadSuccess | As2ReadFailure> {
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  const contentType = headerValue(headers, 'content-type');
  if (contentType === undefined) return fail('unexpected-processing-error', 'the message has no Content-Type');
  const cte = headerValue(headers, 'content-transfer-encoding');
  let entity = concatBytes([utf8(`Content-Type: ${contentType}\r\n${cte === undefined ? '' : `Content-Transfer-Encoding: ${cte}\r\n`}\r\n`), body]);
  let decryptedWith: Uint8Array | null = null;
  let cipher: string | null = null;
  let verifiedWith: Uint8Array | null = null;
  let digest: MicAlgorithm | null = null;
  let compressed = false;
  let micContent: Uint8Array | null = null;
  try {
    for (let depth = 0; depth < 4; depth++) {
      const split = splitEntity(entity);
      const type = split.contentType;
      const smime = type?.params['smime-type']?.toLowerCase();
      const isP7m = type?.essence === 'application/pkcs7-mime' || type?.essence === 'application/x-pkcs7-mime';
      if (isP7m && smime === 'compressed-data') {
        try {
          entity = decompress(split.body(), maxBytes);
        } catch (error) {
          return fail('decompression-failed', error instanceof Error ? error.message : String(error));
        }
        compressed = true;
      } else if (isP7m && decryptedWith === null && verifiedWith === null) {
        const result = decryptEnveloped(split.body(), options.decrypt);
        if (!result.ok) return fail('decryption-failed', result.detail);
        if (result.content.byteLength > maxBytes) return fail('unexpected-processing-error', 'the decrypted message is too large');
        entity = result.content;
        decryptedWith = result.recipient;
        cipher = result.cipher;
      } else if (type?.essence === 'multipart/signed' && verifiedWith === null) {
        const { signed, signature } = readMultipartSigned(type, split.rawBody);
        const { verification, content } = await verifyLeniently(signed, signature, options.verify);
        const micalg = options.micalgs?.[0] ?? (verification.ok ? verification.digest : 'sha-256');
        const mic = { value: computeMic(content, micalg), algorithm: micalg };
        if (!verification.ok) return fail(verification.reason === 'untrusted' ? 'authentication-failed' : verification.reason === 'integrity' ? 'integrity-check-failed' : 'unexpected-processing-error', verification.detail, mic);
        verifiedWith = verification.signer;
        digest = verification.digest;
        micContent = content;
        entity = content;
      } else break;
    }
    const payload = splitEntity(entity);
    const micalg = options.micalgs?.[0] ?? digest ?? 'sha-256';
    micContent ??= decryptedWith !== null ? entity : payload.rawBody;
    const mic = { value: computeMic(micContent, micalg), algorithm: micalg };
    if (verifiedWith === null && options.requireSigned !== false) return fail('insufficient-message-security', 'the message is not signed', mic);
    if (decryptedWith === null && options.requireEncrypted !== false) return fail('insufficient-message-security', 'the message is not encrypted', mic);
    const payloadType = payload.headers.find((h) => h.name.toLowerCase() === 'content-type')?.value ?? 'application/octet-stream';
    return { ok: true, entity, contentType: payloadType, body: payload.body(), decryptedWith, cipher, verifiedWith, digest, compressed, mic };
  } catch (error) {
    const detail = isCemError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
    return fail('unexpected-processing-error', `unreadable message (${detail})`);
  }
}
