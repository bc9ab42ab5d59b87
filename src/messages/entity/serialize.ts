/**
 * Writes a built CEM entity as one MIME byte stream (draft-14 §2.1; RFC 4130 §7.1).
 *
 * @module
 */
import { CemArgumentError } from '../../errors.js';
import { serializeMimeEntity } from '../mime/build.js';
import type { CemEntity } from './types.js';

/**
 * The entity as one MIME byte stream: its headers (`Content-Type`, `MIME-Version`, folded at 76
 * characters), an empty line, the body; CRLF throughout. This is what a host signs as the first
 * part of `multipart/signed` (RFC 4130 §7.1 computes the MIC over it).
 *
 * @example
 * ```ts
 * const bytes = serializeCemEntity(buildCemResponseEntity({ response, xmlContentId: 'resp-1@acme.example' }));
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` when the entity was not made by this SDK's builders.
 */
export function serializeCemEntity(entity: CemEntity): Uint8Array {
  if (typeof entity !== 'object' || entity === null || typeof entity.mime !== 'object') {
    throw new CemArgumentError('serializeCemEntity takes an entity made by buildCemRequestEntity or buildCemResponseEntity');
  }
  return serializeMimeEntity(entity.mime);
}
