/**
 * Assembles and writes CEM entities: the XML root first, then the certs-only parts
 * (draft-14 §2.1; RFC 2387).
 *
 * @module
 */
import { CemArgumentError } from '../../../errors.js';
import { buildMimeEntity, buildMultipartRelated } from '../../mime/build.js';
import { checkContentId } from '../../mime/internal/content-id.js';
import type { MimeEntity } from '../../mime/types.js';
import { CEM_XML_MEDIA_TYPE, CERTS_ONLY_MEDIA_TYPE } from './media.js';
import type { CemEntity, CemEntityOptions } from '../types.js';

/** The transfer encoding in force, `base64` by default. */
export function transferEncodingOf(options: CemEntityOptions): 'base64' | 'binary' {
  const encoding = options.transferEncoding ?? 'base64';
  if (encoding !== 'base64' && encoding !== 'binary') {
    throw new CemArgumentError(`transferEncoding must be 'base64' or 'binary', not ${JSON.stringify(encoding)}`);
  }
  return encoding;
}

/** One certs-only part (RFC 8551 §3.2.2: `.p7c`). */
export function certsOnlyPart(p7c: Uint8Array, contentId: string, index: number, options: CemEntityOptions): MimeEntity {
  return buildMimeEntity({
    contentType: CERTS_ONLY_MEDIA_TYPE,
    body: p7c,
    transferEncoding: transferEncodingOf(options),
    contentId,
    headers: [{ name: 'Content-Disposition', value: `attachment; filename="cert-${index + 1}.p7c"` }],
  });
}

/**
 * The `multipart/related; type="application/ediint-cert-exchange+xml"` around the XML (first,
 * the root) and `others`, with `MIME-Version: 1.0`.
 *
 * @throws CemArgumentError `CEM_ARGUMENT` for malformed or duplicate Content-IDs (compared
 *   without regard to case, as lenient receivers match them).
 */
export function assembleCemEntity(xml: string, others: readonly MimeEntity[], options: CemEntityOptions): CemEntity {
  const xmlContentId = checkContentId(options.xmlContentId);
  const root = buildMimeEntity({
    contentType: CEM_XML_MEDIA_TYPE,
    body: xml,
    transferEncoding: transferEncodingOf(options),
    contentId: xmlContentId,
  });
  const parts = [root, ...others];
  const seen = new Set<string>();
  for (const part of parts) {
    const id = part.headers.find((h) => h.name === 'Content-ID')?.value.toLowerCase() ?? '';
    if (seen.has(id)) throw new CemArgumentError(`two parts would share the Content-ID ${id}`);
    seen.add(id);
  }
  const mime = buildMultipartRelated({
    type: CEM_XML_MEDIA_TYPE,
    ...(options.start === true ? { start: xmlContentId } : {}),
    parts,
    headers: [{ name: 'MIME-Version', value: '1.0' }],
  });
  const contentType = mime.headers[0]?.value ?? '';
  return Object.freeze({
    contentType,
    headers: Object.freeze({ 'Content-Type': contentType, 'MIME-Version': '1.0' }),
    body: mime.body,
    mime,
    xml,
  });
}
