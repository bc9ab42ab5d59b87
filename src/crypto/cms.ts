/**
 * Who signed a CMS SignedData, and for whom a CMS EnvelopedData is encrypted: identifiers to
 * match against known certificates (RFC 5652 §5.3, §6.2; draft-14 §2.1 requires the signer's
 * certificate in a signed CEM message).
 *
 * @module
 */
import type { CertificateInfo } from './types.js';
import { distinguishedNamesEqual } from './dn.js';
import { CemArgumentError } from '../errors.js';
import { CONTENT_TYPES, openContentInfo, splitSignedData } from './internal/cms-content.js';
import { readRecipientIds, readSignerIds } from './internal/cms-ids.js';
import { children, DerError } from './internal/der.js';
import { withCode } from './internal/fail.js';
import { toAsn1Bytes } from './internal/input.js';
import { quote } from '../quote.js';

export type { RecipientId, SignerId } from './types.js';
import type { RecipientId, SignerId } from './types.js';

const CMS_LABELS = ['PKCS7', 'CMS', 'PKCS #7 SIGNED DATA', 'PKCS #7 ENVELOPED DATA'];

/**
 * The signer identifiers of a CMS/PKCS #7 SignedData, in SignerInfo order. Accepts DER, BER,
 * base64, PEM (`PKCS7`, `CMS`), or the body of an `application/pkcs7-signature` /
 * `application/pkcs7-mime` part, with or without its MIME headers (not a whole multipart/signed
 * message). A certs-only message gives `[]`. The array is new and the caller's; each
 * identifier is frozen.
 *
 * @example
 * ```ts
 * const [signer] = getSignerIdentifiers(signaturePartBody)
 * const cert = candidates.find((c) => certificateMatchesIdentifier(c, signer))
 * ```
 * @throws CemCryptoError `CEM_CMS_INVALID` when the input is not a readable SignedData.
 * @see RFC 5652 §5.3 (SignerIdentifier)
 */
export function getSignerIdentifiers(input: Uint8Array | string): SignerId[] {
  return withCode('CEM_CMS_INVALID', 'not a readable CMS SignedData', () => {
    const { content } = openContentInfo(toAsn1Bytes(input, CMS_LABELS), [CONTENT_TYPES.signedData]);
    return readSignerIds(splitSignedData(content).signerInfos);
  });
}

/**
 * The recipient identifiers of a CMS EnvelopedData (or AuthEnvelopedData), in RecipientInfo
 * order: key transport recipients (issuer and serial, or subject key identifier), each
 * recipientEncryptedKey of key agreement recipients, and `{ kind: 'other' }` for KEK, password
 * and other recipients. Inputs as for {@link getSignerIdentifiers}.
 *
 * @example
 * ```ts
 * const ids = getRecipientIdentifiers(encryptedBody)
 * const mine = ownCerts.find((c) => ids.some((id) => certificateMatchesIdentifier(c, id)))
 * ```
 * @throws CemCryptoError `CEM_CMS_INVALID` when the input is not a readable EnvelopedData.
 * @see RFC 5652 §6.2 (RecipientInfo); RFC 5083
 */
export function getRecipientIdentifiers(input: Uint8Array | string): RecipientId[] {
  return withCode('CEM_CMS_INVALID', 'not a readable CMS EnvelopedData', () => {
    const { content } = openContentInfo(toAsn1Bytes(input, CMS_LABELS), [
      CONTENT_TYPES.envelopedData,
      CONTENT_TYPES.authEnvelopedData,
    ]);
    const fields = children(content);
    const recipientInfos = fields.find((f, i) => i > 0 && f.tag === 0x31);
    if (!recipientInfos) throw new DerError('EnvelopedData without recipientInfos');
    return readRecipientIds(recipientInfos);
  });
}

/**
 * True when `id` designates `cert`: issuer by meaning ({@link distinguishedNamesEqual}) and
 * serial by value, or subject key identifier (case-insensitive hex). `kind: 'other'` never matches.
 *
 * @example
 * ```ts
 * certificateMatchesIdentifier(cert, { kind: 'issuerSerial', issuer: cert.issuer, serial: cert.serial }) // true
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` when an issuerSerial id has a non-integer serial.
 * @throws CemCryptoError `CEM_DN_INVALID` when an issuerSerial id has an unparsable issuer.
 * @see RFC 5652 §5.3, §6.2
 */
export function certificateMatchesIdentifier(cert: CertificateInfo, id: RecipientId): boolean {
  switch (id.kind) {
    case 'issuerSerial': {
      if (!/^\s*-?\d+\s*$/.test(id.serial)) throw new CemArgumentError(`serial ${quote(id.serial)} is not an integer`);
      return BigInt(id.serial.trim()) === BigInt(cert.serial) && distinguishedNamesEqual(id.issuer, cert.issuerRdns);
    }
    case 'subjectKeyIdentifier':
      return cert.subjectKeyIdentifier !== null && cert.subjectKeyIdentifier === id.keyId.toLowerCase();
    case 'other':
      return false;
    default:
      return assertNever(id);
  }
}

function assertNever(value: never): never {
  throw new CemArgumentError(`unknown identifier ${quote(value)}`);
}
