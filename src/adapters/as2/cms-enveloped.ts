/**
 * CMS EnvelopedData (RFC 5652 §6) with RSA key transport, for `application/pkcs7-mime;
 * smime-type=enveloped-data`. pkijs builds and parses the structures; node:crypto does the
 * cipher work, because WebCrypto has neither RSAES-PKCS1-v1_5 (what most AS2 products send,
 * openssl's default) nor 3DES.
 *
 * RSAES-PKCS1-v1_5 key transport is unwrapped with a raw RSA operation and implicit rejection
 * (RFC 3218 §2.3.2: a bad padding yields a random key, so failures look alike).
 *
 * @module
 */
import { constants, createCipheriv, createDecipheriv, privateDecrypt, publicEncrypt, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { pkijsCertificate, toArrayBuffer } from './keys.js';

/** Content encryption written: AES-CBC; read also 3DES. */
export type ContentCipher = 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc';

/** RSA key transport: RSAES-PKCS1-v1_5 (`rsa`, the AS2 default) or RSAES-OAEP with SHA-1 (`rsa-oaep`). */
export type KeyTransport = 'rsa' | 'rsa-oaep';

const CIPHERS: Readonly<Record<string, { readonly name: string; readonly keyBytes: number }>> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyBytes: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyBytes: 24 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', keyBytes: 32 },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', keyBytes: 24 },
};
const RSA = '1.2.840.113549.1.1.1';
const RSA_OAEP = '1.2.840.113549.1.1.7';
const ID_DATA = '1.2.840.113549.1.7.1';
const ID_ENVELOPED = '1.2.840.113549.1.7.3';

/** Encrypts `content` to the recipient certificate; returns the CMS DER. */
export function encryptEnveloped(content: Uint8Array, recipient: Uint8Array, cipher: ContentCipher, transport: KeyTransport): Uint8Array {
  const oid = Object.keys(CIPHERS).find((k) => CIPHERS[k]?.name === cipher) ?? '';
  const spec = CIPHERS[oid];
  if (spec === undefined) throw new Error(`unknown cipher ${cipher}`);
  const key = randomBytes(spec.keyBytes);
  const iv = randomBytes(16);
  const c = createCipheriv(spec.name, key, iv);
  const encrypted = Buffer.concat([c.update(content), c.final()]);
  const publicKey = new X509Certificate(recipient).publicKey;
  const oaep = transport === 'rsa-oaep';
  const wrapped = publicEncrypt({ key: publicKey, padding: oaep ? constants.RSA_PKCS1_OAEP_PADDING : constants.RSA_PKCS1_PADDING, oaepHash: 'sha1' }, key);
  const cert = pkijsCertificate(recipient);
  const keyTrans = new pkijs.KeyTransRecipientInfo({
    version: 0,
    rid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    keyEncryptionAlgorithm: new pkijs.AlgorithmIdentifier({
      algorithmId: oaep ? RSA_OAEP : RSA,
      algorithmParams: oaep ? new asn1js.Sequence({ value: [] }) : new asn1js.Null(),
    }),
    encryptedKey: new asn1js.OctetString({ valueHex: toArrayBuffer(wrapped) }),
  });
  const enveloped = new pkijs.EnvelopedData({
    version: 0,
    recipientInfos: [new pkijs.RecipientInfo({ variant: 1, value: keyTrans })],
    // one primitive [0] with a definite length (DER): pkijs would split it into an
    // indefinite-length constructed string, which older readers (asn1js 2, in libas2) cannot parse
    encryptedContentInfo: new pkijs.EncryptedContentInfo({
      disableSplit: true,
      contentType: ID_DATA,
      contentEncryptionAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: oid, algorithmParams: new asn1js.OctetString({ valueHex: toArrayBuffer(iv) }) }),
      encryptedContent: new asn1js.OctetString({ valueHex: toArrayBuffer(encrypted) }),
    }),
  });
  const info = new pkijs.ContentInfo({ contentType: ID_ENVELOPED, content: enveloped.toSchema() });
  return new Uint8Array(info.toSchema().toBER(false));
}

/** A certificate of ours with its private key. */
export interface DecryptionCandidate {
  readonly certificate: Uint8Array;
  readonly key: KeyObject;
}

/** What decrypting found. */
export type DecryptResult =
  | { readonly ok: true; readonly content: Uint8Array; readonly recipient: Uint8Array; readonly cipher: string }
  | { readonly ok: false; readonly detail: string };

function unwrapPkcs1(key: KeyObject, wrapped: Uint8Array, keyBytes: number): Buffer {
  const fallback = randomBytes(keyBytes);
  let m: Buffer;
  try {
    m = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, wrapped);
  } catch {
    return fallback;
  }
  let zero = -1;
  for (let i = 2; i < m.length; i++) {
    if (m[i] === 0 && zero < 0) zero = i;
  }
  const good = m[0] === 0 && m[1] === 2 && zero >= 10 && m.length - zero - 1 === keyBytes;
  return good ? m.subarray(zero + 1) : fallback;
}

function unwrapOaep(key: KeyObject, wrapped: Uint8Array, params: unknown, keyBytes: number): Buffer {
  let hash = 'sha1';
  if (params instanceof asn1js.Sequence && params.valueBlock.value.length > 0) {
    const oaep = new pkijs.RSAESOAEPParams({ schema: params });
    const oids: Readonly<Record<string, string>> = { '2.16.840.1.101.3.4.2.1': 'sha256', '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512' };
    hash = oids[oaep.hashAlgorithm.algorithmId] ?? 'sha1';
  }
  try {
    return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, wrapped);
  } catch {
    return randomBytes(keyBytes);
  }
}

/**
 * Whether decrypted bytes are a MIME entity: a header block naming its Content-Type. AS2 always
 * encrypts one. A wrong key unwraps to a random content key (implicit rejection), and about one
 * random key in 256 still ends in valid CBC padding: without this check such garbage would count
 * as decrypted and the partner would get `unexpected-processing-error` instead of
 * `decryption-failed`.
 */
export function isMimeEntity(content: Uint8Array): boolean {
  const head = Buffer.from(content.buffer, content.byteOffset, Math.min(content.byteLength, 64 * 1024)).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const block = end < 0 ? head : head.slice(0, end);
  return /^[!-9;-~]+:/.test(block) && /(^|\n)content-type[ \t]*:/i.test(block);
}

function matches(rid: pkijs.KeyTransRecipientInfo['rid'], cert: pkijs.Certificate): boolean {
  if (rid instanceof pkijs.IssuerAndSerialNumber) return rid.issuer.isEqual(cert.issuer) && rid.serialNumber.isEqual(cert.serialNumber);
  const ski = cert.extensions?.find((e) => e.extnID === '2.5.29.14')?.parsedValue;
  return ski instanceof asn1js.OctetString && rid instanceof asn1js.OctetString && Buffer.from(ski.valueBlock.valueHexView).equals(Buffer.from(rid.valueBlock.valueHexView));
}

/**
 * Decrypts an EnvelopedData with the candidates: first those a recipient names, then every other
 * candidate against every RSA recipient (products that name the recipient wrongly). A decryption
 * counts only when it yields a MIME entity ({@link isMimeEntity}).
 */
export function decryptEnveloped(der: Uint8Array, candidates: readonly DecryptionCandidate[]): DecryptResult {
  let enveloped: pkijs.EnvelopedData;
  try {
    const info = pkijs.ContentInfo.fromBER(toArrayBuffer(der));
    if (info.contentType !== ID_ENVELOPED) return { ok: false, detail: `content type ${info.contentType} is not EnvelopedData` };
    enveloped = new pkijs.EnvelopedData({ schema: info.content });
  } catch (error) {
    return { ok: false, detail: `unreadable EnvelopedData (${error instanceof Error ? error.message : String(error)})` };
  }
  const eci = enveloped.encryptedContentInfo;
  const spec = CIPHERS[eci.contentEncryptionAlgorithm.algorithmId];
  if (spec === undefined) return { ok: false, detail: `unsupported content encryption ${eci.contentEncryptionAlgorithm.algorithmId}` };
  const ivParam = eci.contentEncryptionAlgorithm.algorithmParams as unknown;
  if (!(ivParam instanceof asn1js.OctetString)) return { ok: false, detail: 'the content encryption has no IV' };
  const iv = Buffer.from(ivParam.getValue());
  const ciphertext = eci.encryptedContent === undefined ? new Uint8Array(0) : new Uint8Array(eci.getEncryptedContent());
  const recipients = enveloped.recipientInfos.map((r) => r.value).filter((v): v is pkijs.KeyTransRecipientInfo => v instanceof pkijs.KeyTransRecipientInfo);
  if (recipients.length === 0) return { ok: false, detail: 'no RSA key transport recipient' };
  const parsed = candidates.map((c) => ({ c, cert: pkijsCertificate(c.certificate) }));
  const attempts: { c: DecryptionCandidate; r: pkijs.KeyTransRecipientInfo }[] = [];
  for (const p of parsed) for (const r of recipients) if (matches(r.rid, p.cert)) attempts.push({ c: p.c, r });
  for (const p of parsed) for (const r of recipients) if (!attempts.some((a) => a.c === p.c && a.r === r)) attempts.push({ c: p.c, r });
  for (const { c, r } of attempts) {
    const alg = r.keyEncryptionAlgorithm.algorithmId;
    if (alg !== RSA && alg !== RSA_OAEP) continue;
    const wrapped = new Uint8Array(r.encryptedKey.getValue());
    const cek = alg === RSA ? unwrapPkcs1(c.key, wrapped, spec.keyBytes) : unwrapOaep(c.key, wrapped, r.keyEncryptionAlgorithm.algorithmParams, spec.keyBytes);
    try {
      const d = createDecipheriv(spec.name, cek, iv);
      const content = new Uint8Array(Buffer.concat([d.update(ciphertext), d.final()]));
      if (isMimeEntity(content)) return { ok: true, content, recipient: c.certificate, cipher: spec.name };
      // valid padding by chance under a wrong key, or not a MIME entity: not ours to read
    } catch {
      // wrong key: try the next candidate
    }
  }
  return { ok: false, detail: candidates.length === 0 ? 'no decryption key for this partner' : 'none of our certificates decrypts this message' };
}
