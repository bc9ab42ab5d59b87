/**
 * Finds the CEM parts of an inbound entity as real peers send it: a `multipart/related` with or
 * without `type=`, with or without `start`, optionally still inside its `multipart/signed`, or a
 * bare CEM XML body (draft-14 §2.1; RFC 2387 §3.1-§3.2).
 *
 * @module
 */
import { CemMimeError } from '../../../errors.js';
import { detectCemDocument } from '../../document-xml.js';
import { normalizeCemContentId } from '../../content-id.js';
import { getHeaders } from '../../mime/headers.js';
import type { MimeEntity } from '../../mime/types.js';
import { CEM_XML_MEDIA_TYPE, isCemXmlType, isCertsOnlyType, isGenericXmlType, partsOf } from './media.js';
import { clip } from '../../../quote.js';

/** The CEM parts of an entity. */
export interface LocatedCem {
  /** The XML root part. */
  readonly root: MimeEntity;
  /** Every body part of the multipart/related (just `[root]` for a bare XML body). */
  readonly parts: readonly MimeEntity[];
  /** The multipart/related, `null` for a bare XML body. */
  readonly related: MimeEntity | null;
}

const MAX_SIGNED_NESTING = 2;

function looksLikeCemXml(part: MimeEntity): boolean {
  try {
    detectCemDocument(part.body);
    return true;
  } catch {
    return false;
  }
}

/** The bare Content-ID of a part, `null` when it has none; several → `CEM_MIME_CONTENT_ID`. */
export function contentIdOf(part: MimeEntity): string | null {
  const values = getHeaders(part, 'content-id');
  if (values.length > 1) throw new CemMimeError('CEM_MIME_CONTENT_ID', 'a body part has several Content-ID headers');
  const id = values[0] === undefined ? '' : normalizeCemContentId(values[0]);
  return id === '' ? null : id;
}

function chooseRoot(related: MimeEntity, parts: readonly MimeEntity[]): MimeEntity {
  let candidates = parts.filter((p) => isCemXmlType(p.contentType));
  if (candidates.length === 0) candidates = parts.filter((p) => isGenericXmlType(p.contentType) && looksLikeCemXml(p));
  const declared = related.contentType?.params.type?.toLowerCase() === CEM_XML_MEDIA_TYPE;
  if (candidates.length === 0) {
    if (declared) throw new CemMimeError('CEM_MIME_ROOT', 'the multipart/related declares CEM XML but has no CEM XML part');
    throw new CemMimeError('CEM_MIME_NOT_CEM', 'the multipart/related holds no CEM XML part');
  }
  if (candidates.length > 1) throw new CemMimeError('CEM_MIME_ROOT', `the entity has ${candidates.length} CEM XML parts`);
  const root = candidates[0] as MimeEntity;
  const start = related.contentType?.params.start;
  if (start !== undefined) {
    const wanted = normalizeCemContentId(start).toLowerCase();
    const named = parts.filter((p) => contentIdOf(p)?.toLowerCase() === wanted);
    if (named.length !== 1 || named[0] !== root) {
      throw new CemMimeError('CEM_MIME_ROOT', `start=${clip(start)} does not name the CEM XML part`);
    }
  }
  return root;
}

/**
 * Locates the CEM XML root and its sibling parts. The root is the part named by `start` when
 * present (any position; it must be the CEM XML part), otherwise the one CEM XML part, which a
 * conformant sender puts first. A part is CEM XML by its media type, or, when no part has that
 * type, by being `application/xml`, `text/xml` or untyped with a CEM root element.
 *
 * @throws CemMimeError `CEM_MIME_NOT_CEM` for anything else (an ordinary payload);
 *   `CEM_MIME_ROOT` for zero CEM XML parts under a CEM `type=`, several CEM XML parts, or a `start`
 *   that does not name the CEM XML part; `CEM_MIME_CONTENT_ID` for a part with several Content-IDs.
 */
export function locateCem(entity: MimeEntity, depth = 0): LocatedCem {
  const essence = entity.contentType?.essence;
  if (essence === CEM_XML_MEDIA_TYPE) return { root: entity, parts: [entity], related: null };
  if (essence === 'multipart/related') {
    const parts = partsOf(entity);
    return { root: chooseRoot(entity, parts), parts, related: entity };
  }
  const signed = partsOf(entity)[0];
  if (essence === 'multipart/signed' && signed && depth < MAX_SIGNED_NESTING) return locateCem(signed, depth + 1);
  throw notCemEntity(essence);
}

/**
 * `CEM_MIME_NOT_CEM` for an entity of another media type: "an application/edi-consent entity
 * is not a CEM entity", "a text/plain entity ...", "an untyped entity ..." (no Content-Type).
 */
export function notCemEntity(essence: string | undefined): CemMimeError {
  const what = essence ?? 'untyped';
  return new CemMimeError('CEM_MIME_NOT_CEM', `${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what} entity is not a CEM entity`);
}

/** True when a parsed Content-Type could be a CEM entity (before its body is looked at). */
export function mayBeCem(essence: string | undefined): boolean {
  return essence === CEM_XML_MEDIA_TYPE || essence === 'multipart/related' || essence === 'multipart/signed';
}

/** The certs-only parts among `parts`, other than `root`. */
export function certParts(parts: readonly MimeEntity[], root: MimeEntity): readonly MimeEntity[] {
  return parts.filter((p) => p !== root && isCertsOnlyType(p.contentType));
}
