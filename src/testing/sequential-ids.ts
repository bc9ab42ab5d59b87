/**
 * A deterministic {@link IdSource} for tests: the n-th id is the same on every run.
 *
 * @module
 */
import { CemArgumentError } from '../errors.js';
import { isContentId, isRequestId } from '../ports/ids.js';
import type { IdSource } from '../ports/ids.js';

/**
 * Options of {@link createSequentialIds}.
 *
 * @example
 * ```ts
 * createSequentialIds({ prefix: 'node-a', domain: 'as2.example.test' })
 * ```
 */
export interface SequentialIdsOptions {
  /** Starts every id; `cem` by default. */
  readonly prefix?: string;
  /** The Content-ID domain; `ediint-cem.test` by default. */
  readonly domain?: string;
}

/**
 * Creates ids `<prefix>-req-000001`, `<prefix>-req-000002`, ... and Content-IDs
 * `<prefix>-cid-000001@<domain>`, ..., each with its own counter.
 *
 * @example
 * ```ts
 * const ids = createSequentialIds({ prefix: 'me' })
 * ids.requestId() // 'me-req-000001'
 * ids.contentId() // 'me-cid-000001@ediint-cem.test'
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` when the prefix or domain cannot form valid ids.
 */
export function createSequentialIds(options: SequentialIdsOptions = {}): IdSource {
  const { prefix = 'cem', domain = 'ediint-cem.test' } = options;
  if (!isRequestId(`${prefix}-req-000001`) || !isContentId(`${prefix}-cid-000001@${domain}`)) {
    throw new CemArgumentError(`createSequentialIds: unusable prefix or domain`);
  }
  let requests = 0;
  let contents = 0;
  const pad = (n: number): string => String(n).padStart(6, '0');
  return Object.freeze({
    requestId: (): string => `${prefix}-req-${pad(++requests)}`,
    contentId: (): string => `${prefix}-cid-${pad(++contents)}@${domain}`,
  });
}
