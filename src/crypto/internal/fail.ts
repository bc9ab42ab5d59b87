/**
 * Turns internal failures into `CemCryptoError`s with the caller's stable code.
 *
 * @module
 */
import { CemCryptoError, isCemError, type CemCryptoErrorCode } from '../../errors.js';

/** Throws a `CemCryptoError`. */
export function fail(code: CemCryptoErrorCode, message: string, cause?: unknown): never {
  throw new CemCryptoError(code, message, cause === undefined ? undefined : { cause });
}

/**
 * Runs `fn`; any error that is not already a `CemError` becomes a `CemCryptoError` with `code`
 * and a message starting with `what`.
 */
export function withCode<T>(code: CemCryptoErrorCode, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (isCemError(error)) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    return fail(code, `${what}: ${detail}`, error);
  }
}
