/**
 * Deterministic multipart boundaries (internal).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { CemArgumentError } from '../../../errors.js';
import { indexOfBytes, utf8 } from './bytes.js';

const ATTEMPTS = 64;

/**
 * A boundary derived from a SHA-256 of the parts' bytes, guaranteed not to occur (as
 * `--boundary`) anywhere in any part. The same parts always give the same boundary, so pure code
 * needs no randomness. The `=_` prefix cannot occur in base64 or quoted-printable text.
 *
 * @throws CemArgumentError `CEM_ARGUMENT` when every candidate occurs in the content, which takes
 *   content crafted against this function.
 */
export function chooseBoundary(parts: readonly Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash.update(utf8(`${part.byteLength}:`));
    hash.update(part);
  }
  const seed = hash.digest();
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const digest = createHash('sha256').update(seed).update(utf8(String(attempt))).digest('hex');
    const boundary = `=_cem_${digest.slice(0, 40)}`;
    const needle = utf8(`--${boundary}`);
    if (parts.every((part) => indexOfBytes(part, needle) < 0)) return boundary;
  }
  throw new CemArgumentError('no boundary could be found that does not occur in the content');
}
