/**
 * Reads the XML text of the root part, honouring its `charset` (draft-14 §9, RFC 7303 §3).
 *
 * @module
 */
import { CemMimeError } from '../../../errors.js';
import { readXmlInput } from '../../xml/xml-input.js';
import type { MimeEntity } from '../../mime/types.js';
import { quote } from '../../../quote.js';

/**
 * The XML text of `part`. A byte order mark wins (UTF-8 or UTF-16), then a `charset` parameter
 * (RFC 7303 §3 and appendix C); without either, the bytes are decoded as the XML codec does (the
 * XML declaration, then UTF-8). The size cap, DOCTYPE refusal and decoding checks of the XML codec
 * apply.
 *
 * @throws CemMimeError `CEM_MIME_ENCODING` for an unknown charset or bytes invalid in it.
 * @throws CemXmlError `CEM_XML_TOO_LARGE`, `CEM_XML_DOCTYPE`, `CEM_XML_MALFORMED` from the codec.
 */
export function readXmlText(part: MimeEntity, maxXmlBytes: number | undefined): string {
  const charset = part.contentType?.params.charset?.trim().toLowerCase();
  if (charset === undefined || charset === '' || charset === 'utf-8' || charset === 'utf8' || hasBom(part.body)) {
    return readXmlInput(part.body, maxXmlBytes);
  }
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(charset, { fatal: true });
  } catch (cause) {
    throw new CemMimeError('CEM_MIME_ENCODING', `unknown charset ${quote(charset)} on the CEM XML part`, { cause });
  }
  let text: string;
  try {
    text = decoder.decode(part.body);
  } catch (cause) {
    throw new CemMimeError('CEM_MIME_ENCODING', `the CEM XML part is not valid ${charset}`, { cause });
  }
  return readXmlInput(text, maxXmlBytes);
}

/** True when the bytes start with a UTF-8 or UTF-16 byte order mark. */
function hasBom(bytes: Uint8Array): boolean {
  const [a, b, c] = bytes;
  return (a === 0xef && b === 0xbb && c === 0xbf) || (a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff);
}
