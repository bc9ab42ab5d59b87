/**
 * Reads signer and recipient identifiers out of CMS structures (RFC 5652 §5.3, §6.2).
 *
 * @module
 */
import type { RecipientId, SignerId } from '../types.js';
import { formatDistinguishedName } from '../dn.js';
import { children, contentBytes, DerError, expectTag, readInteger, toHex, type Tlv } from './der.js';
import { readName } from './name.js';

function issuerSerial(tlv: Tlv): SignerId {
  const [name, serial] = children(expectTag(tlv, 0x30, 'IssuerAndSerialNumber'));
  return Object.freeze({
    kind: 'issuerSerial' as const,
    issuer: formatDistinguishedName(readName(name, 'issuer')),
    serial: readInteger(serial, 'serial number').toString(10),
  });
}

function keyId(tlv: Tlv): SignerId {
  return Object.freeze({ kind: 'subjectKeyIdentifier' as const, keyId: toHex(contentBytes(tlv)) });
}

/** A SignerIdentifier / RecipientIdentifier: IssuerAndSerialNumber or `[0]` SubjectKeyIdentifier. */
export function readIdentifier(tlv: Tlv | undefined): SignerId {
  if (tlv?.tag === 0x30) return issuerSerial(tlv);
  if (tlv !== undefined && tlv.cls === 2 && tlv.num === 0) return keyId(tlv);
  throw new DerError('unreadable signer or recipient identifier');
}

/** Identifiers of the SignerInfos of a SignedData's signerInfos SET. */
export function readSignerIds(signerInfos: Tlv): SignerId[] {
  return children(signerInfos).map((info) => readIdentifier(children(expectTag(info, 0x30, 'SignerInfo'))[1]));
}

/** KeyAgreeRecipientIdentifier: IssuerAndSerialNumber or `[0]` RecipientKeyIdentifier. */
function readKeyAgreeIdentifier(tlv: Tlv | undefined): RecipientId {
  if (tlv !== undefined && tlv.cls === 2 && tlv.num === 0) {
    return keyId(expectTag(children(tlv)[0], 0x04, 'RecipientKeyIdentifier'));
  }
  return readIdentifier(tlv);
}

function readKeyAgree(info: Tlv): RecipientId[] {
  const fields = children(info);
  const keys = expectTag(fields[fields.length - 1], 0x30, 'recipientEncryptedKeys');
  return children(keys).map((key) => readKeyAgreeIdentifier(children(expectTag(key, 0x30, 'RecipientEncryptedKey'))[0]));
}

const OTHER_KINDS = new Map([[2, 'kekri'], [3, 'pwri'], [4, 'ori']] as const);

/** Identifiers of a RecipientInfos SET. */
export function readRecipientIds(recipientInfos: Tlv): RecipientId[] {
  return children(recipientInfos).flatMap((info): RecipientId[] => {
    if (info.tag === 0x30) return [readIdentifier(children(info)[1])];
    if (info.cls === 2 && info.num === 1 && info.constructed) return readKeyAgree(info);
    const other = info.cls === 2 ? OTHER_KINDS.get(info.num as 2 | 3 | 4) : undefined;
    if (other === undefined) throw new DerError(`unknown RecipientInfo tag 0x${info.tag.toString(16)}`);
    return [Object.freeze({ kind: 'other' as const, recipientInfo: other })];
  });
}
