/**
 * Builds the entity of a CEM Response (draft-14 §2.1, §2.5).
 *
 * @module
 */
import { serializeCemResponse } from '../response-xml.js';
import { assembleCemEntity } from './internal/assemble.js';
import type { CemEntity, CemResponseEntityInput } from './types.js';

/**
 * Builds a CEM Response entity: a `multipart/related; type="application/ediint-cert-exchange+xml"`
 * with exactly one part, the XML, carrying `Content-ID: <xmlContentId>` (a Response is
 * multipart/related even with one part, draft-14 §2.1).
 *
 * @example
 * ```ts
 * const entity = buildCemResponseEntity({ response, xmlContentId: 'resp-1@acme.example' });
 * send({ ...entity.headers }, entity.body);
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for an invalid Response (see `serializeCemResponse`), a
 *   malformed `xmlContentId` or an unknown `transferEncoding`.
 * @see draft-14 §2.1, §2.5, §3.2
 */
export function buildCemResponseEntity(input: CemResponseEntityInput): CemEntity {
  return assembleCemEntity(serializeCemResponse(input.response), [], input);
}
