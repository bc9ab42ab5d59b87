/**
 * Detached CMS SignedData (RFC 5652 §5) for `multipart/signed` (RFC 8551 §3.5.3), built and
 * verified with pkijs.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { cryptoEngine, pkijsCertificate, signingKey, toArrayBuffer, type As2PrivateKeyInput, privateKeyObject } from './keys.js';

/** Digest algorithms: written (`sha-256`, `sha-384`, `sha-512`) and also read (`sha-1`). */
export type MicAlgorithm = 'sha-1' | 'sha-256' | 'sha-384' | 'sha-512';

const OIDS: Readonly<Record<MicAlgorithm, string>> = {
  'sha-1': '1.3.14.3.2.26',
  'sha-256': '2.16.840.1.101.3.4.2.1',
  'sha-384': '2.16.840.1.101.3.4.2.2',
  'sha-512': '2.16.840.1.101.3.4.2.3',
};
const WEBCRYPTO: Readonly<Record<MicAlgorithm, string>> = { 'sha-1': 'SHA-1', 'sha-256': 'SHA-256', 'sha-384': 'SHA-384', 'sha-512': 'SHA-512' };
const ID_DATA = '1.2.840.113549.1.7.1';
const ID_SIGNED_DATA = '1.2.840.113549.1.7.2';

/** `sha256`, `SHA-256`, `sha-256` → `sha-256`; `null` for an algorithm we do not know. */
export function micAlgorithm(name: string): MicAlgorithm | null {
  const n = name.trim().toLowerCase().replace(/^sha-?/, 'sha-');
  return n === 'sha-1' || n === 'sha-256' || n === 'sha-384' || n === 'sha-512' ? n : null;
}

/** The node hash name of a MIC algorithm. */
export const nodeHash = (alg: MicAlgorithm): string => alg.replace('-', '');

/** Signs `content` (the exact bytes of the first body part) detached; returns the CMS DER. */
export async function signDetached(
  content: Uint8Array,
  signer: { readonly certificate: Uint8Array; readonly chain?: readonly Uint8Array[]; readonly key: As2PrivateKeyInput },
  digest: Exclude<MicAlgorithm, 'sha-1'>,
  now: Date,
): Promise<Uint8Array> {
  const cert = pkijsCertificate(signer.certificate);
  const hash = createHash(nodeHash(digest)).update(content).digest();
  const attributes = [
    new pkijs.Attribute({ type: '1.2.840.113549.1.9.3', values: [new asn1js.ObjectIdentifier({ value: ID_DATA })] }),
    new pkijs.Attribute({ type: '1.2.840.113549.1.9.5', values: [new asn1js.UTCTime({ valueDate: now })] }),
    new pkijs.Attribute({ type: '1.2.840.113549.1.9.4', values: [new asn1js.OctetString({ valueHex: toArrayBuffer(hash) })] }),
  ];
  const signed = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: ID_DATA }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
        signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes }),
      }),
    ],
    certificates: [cert, ...(signer.chain ?? []).map(pkijsCertificate)],
  });
  const key = await signingKey(privateKeyObject(signer.key), WEBCRYPTO[digest]);
  await signed.sign(key, 0, WEBCRYPTO[digest], undefined, cryptoEngine());
  const info = new pkijs.ContentInfo({ contentType: ID_SIGNED_DATA, content: signed.toSchema(true) });
  return new Uint8Array(info.toSchema().toBER(false));
}

/** What verifying a detached signature found. */
export type DetachedVerification =
  | { readonly ok: true; readonly signer: Uint8Array; readonly digest: MicAlgorithm }
  /** `untrusted`: no candidate certificate is the signer; `integrity`: the content or signature does not match; `malformed`: not a SignedData. */
  | { readonly ok: false; readonly reason: 'untrusted' | 'integrity' | 'malformed'; readonly detail: string };

function parseSignedData(der: Uint8Array): pkijs.SignedData {
  const info = pkijs.ContentInfo.fromBER(toArrayBuffer(der));
  if (info.contentType !== ID_SIGNED_DATA) throw new Error(`content type ${info.contentType} is not SignedData`);
  return new pkijs.SignedData({ schema: info.content });
}

/**
 * Verifies a detached signature over `content` against each candidate certificate in turn (the
 * certificates the message carries are not trusted, only the candidates).
 */
export async function verifyDetached(content: Uint8Array, signatureDer: Uint8Array, candidates: readonly Uint8Array[]): Promise<DetachedVerification> {
  let signed: pkijs.SignedData;
  try {
    signed = parseSignedData(signatureDer);
  } catch (error) {
    return { ok: false, reason: 'malformed', detail: `unreadable signature (${error instanceof Error ? error.message : String(error)})` };
  }
  const info = signed.signerInfos[0];
  if (info === undefined) return { ok: false, reason: 'malformed', detail: 'the signature has no signer' };
  const digest = (Object.keys(OIDS) as MicAlgorithm[]).find((k) => OIDS[k] === info.digestAlgorithm.algorithmId);
  if (digest === undefined) return { ok: false, reason: 'malformed', detail: `unsupported digest algorithm ${info.digestAlgorithm.algorithmId}` };
  let failure: DetachedVerification = { ok: false, reason: 'untrusted', detail: 'signed by a certificate that is not trusted for this partner' };
  for (const der of candidates) {
    signed.certificates = [pkijsCertificate(der)];
    try {
      const result = await signed.verify({ signer: 0, data: toArrayBuffer(content), extendedMode: true, checkChain: false }, cryptoEngine());
      if (result.signatureVerified === true) return { ok: true, signer: der, digest };
      failure = { ok: false, reason: 'integrity', detail: 'the signature does not match the content' };
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (code === 3) continue; // not this candidate
      failure = { ok: false, reason: 'integrity', detail: error instanceof Error ? error.message : String(error) };
    }
  }
  return failure;
}

/**
 * Verifies like {@link verifyDetached}, then, when the content does not match, against the two
 * forms lax signers sign instead of the exact part: LF line ends made CRLF (signed canonical,
 * sent LF), and the part without its last CRLF (libas2 0.8.2 signs its MDNs' multipart/report
 * so). Returns the verification and the bytes that verified (what the MIC covers).
 */
export async function verifyLeniently(content: Uint8Array, signatureDer: Uint8Array, candidates: readonly Uint8Array[]): Promise<{ verification: DetachedVerification; content: Uint8Array }> {
  const first = await verifyDetached(content, signatureDer, candidates);
  if (first.ok || first.reason !== 'integrity') return { verification: first, content };
  for (const alternative of [canonicalForm(content), withoutFinalCrlf(content)]) {
    if (alternative === null) continue;
    const again = await verifyDetached(alternative, signatureDer, candidates);
    if (again.ok) return { verification: again, content: alternative };
  }
  return { verification: first, content };
}

function withoutFinalCrlf(bytes: Uint8Array): Uint8Array | null {
  const n = bytes.length;
  return n >= 2 && bytes[n - 2] === 0x0d && bytes[n - 1] === 0x0a ? bytes.subarray(0, n - 2) : null;
}

/** Bare LF line ends made CRLF (S/MIME canonical form); `null` when there is none. */
export function canonicalForm(bytes: Uint8Array): Uint8Array | null {
  let bare = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a && bytes[i - 1] !== 0x0d) bare++;
  if (bare === 0) return null;
  const out = new Uint8Array(bytes.length + bare);
  let j = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a && bytes[i - 1] !== 0x0d) out[j++] = 0x0d;
    out[j++] = bytes[i] ?? 0;
  }
  return out;
}
