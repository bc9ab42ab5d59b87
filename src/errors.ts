/**
 * Every failure the SDK throws is a {@link CemError} with a stable `code`.
 * Codes are the contract; messages are prose and may change.
 *
 * Expected business outcomes (a rejected certificate, a policy "no", a signature that does not
 * verify) are never thrown: they are returned as values with named reasons.
 *
 * @module
 */

/** Codes for malformed or unsafe CEM XML (draft-14 §3). */
export type CemXmlErrorCode =
  | 'CEM_XML_TOO_LARGE'
  | 'CEM_XML_DOCTYPE'
  | 'CEM_XML_MALFORMED'
  | 'CEM_XML_ROOT'
  | 'CEM_XML_NAMESPACE'
  | 'CEM_XML_INVALID'
  | 'CEM_XML_USAGE'
  | 'CEM_XML_STATUS'
  | 'CEM_XML_NO_TRUST_REQUEST'
  | 'CEM_XML_NO_TRUST_RESPONSE'
  | 'CEM_XML_SERIAL'
  | 'CEM_XML_DATE';

/** Codes for MIME packaging problems (draft-14 §2.1, §2.3; RFC 2387). */
export type CemMimeErrorCode =
  | 'CEM_MIME_TOO_LARGE'
  | 'CEM_MIME_MALFORMED'
  | 'CEM_MIME_UNTERMINATED'
  | 'CEM_MIME_NOT_CEM'
  | 'CEM_MIME_ROOT'
  | 'CEM_MIME_CONTENT_ID'
  | 'CEM_MIME_UNRESOLVED_CONTENT_ID'
  | 'CEM_MIME_CERT_PART'
  | 'CEM_MIME_ENCODING';

/**
 * Codes for certificate, PKCS#7 and CMS problems. `CEM_CHAIN_INVALID`: a certificate of a chain
 * (a certs-only part, a bundle given to a builder) is not signed by the issuer certificate that
 * follows it (for example an intermediate with the right name and another key).
 */
export type CemCryptoErrorCode =
  | 'CEM_CERT_INVALID'
  | 'CEM_CERT_MISMATCH'
  | 'CEM_PKCS7_INVALID'
  | 'CEM_PKCS7_END_ENTITY'
  | 'CEM_CHAIN_INVALID'
  | 'CEM_CMS_INVALID'
  | 'CEM_DN_INVALID';

/** Codes for invalid arguments given to builders and operations. */
export type CemArgumentErrorCode = 'CEM_ARGUMENT';

/** Codes raised by the engine and its ports. */
export type CemEngineErrorCode =
  | 'CEM_STORE_CONFLICT'
  /** The store holds another layout version than this engine writes (see the engine's `keys.ts`). */
  | 'CEM_STORE_LAYOUT'
  | 'CEM_PORT_FAILED'
  | 'CEM_NOT_FOUND'
  | 'CEM_REFUSED';

/**
 * The code of a file the `cem` command cannot read or write (a missing file, a directory, no
 * permission). The library itself never reads or writes files, so it never throws this code.
 */
export type CemIoErrorCode = 'CEM_IO';

/**
 * Codes of the AS2 adapter (`ediint-cem/adapters/as2`): `CEM_AS2_HTTP` an HTTP exchange that
 * failed (refused, timed out, too large, a status other than 2xx), `CEM_AS2_MDN` an MDN that is
 * missing, unreadable, unverified, for another message, with a MIC that does not match, or that
 * reports a failure.
 */
export type CemAs2ErrorCode = 'CEM_AS2_HTTP' | 'CEM_AS2_MDN';

/** Every stable error code. */
export type CemErrorCode =
  | CemAs2ErrorCode
  | CemXmlErrorCode
  | CemMimeErrorCode
  | CemCryptoErrorCode
  | CemArgumentErrorCode
  | CemEngineErrorCode
  | CemIoErrorCode;

/**
 * The brand every {@link CemError} carries: a registry symbol (`Symbol.for`), so it is the same
 * symbol in the ESM and the CommonJS build of this package, in every copy of it a process has
 * loaded, and across realms. {@link isCemError} checks it (and the code), never `instanceof`.
 */
const CEM_ERROR_BRAND: unique symbol = Symbol.for('ediint-cem.error') as never;

/**
 * Every stable code, for the brand check (a branded object with another code is not ours). A
 * record over `CemErrorCode`, so a code added to a union and not here fails to compile.
 */
const CODES: { readonly [C in CemErrorCode]: true } = {
  CEM_XML_TOO_LARGE: true, CEM_XML_DOCTYPE: true, CEM_XML_MALFORMED: true, CEM_XML_ROOT: true, CEM_XML_NAMESPACE: true,
  CEM_XML_INVALID: true, CEM_XML_USAGE: true, CEM_XML_STATUS: true, CEM_XML_NO_TRUST_REQUEST: true,
  CEM_XML_NO_TRUST_RESPONSE: true, CEM_XML_SERIAL: true, CEM_XML_DATE: true,
  CEM_MIME_TOO_LARGE: true, CEM_MIME_MALFORMED: true, CEM_MIME_UNTERMINATED: true, CEM_MIME_NOT_CEM: true, CEM_MIME_ROOT: true,
  CEM_MIME_CONTENT_ID: true, CEM_MIME_UNRESOLVED_CONTENT_ID: true, CEM_MIME_CERT_PART: true, CEM_MIME_ENCODING: true,
  CEM_CERT_INVALID: true, CEM_CERT_MISMATCH: true, CEM_PKCS7_INVALID: true, CEM_PKCS7_END_ENTITY: true, CEM_CHAIN_INVALID: true,
  CEM_CMS_INVALID: true, CEM_DN_INVALID: true,
  CEM_ARGUMENT: true,
  CEM_STORE_CONFLICT: true, CEM_STORE_LAYOUT: true, CEM_PORT_FAILED: true, CEM_NOT_FOUND: true, CEM_REFUSED: true,
  CEM_AS2_HTTP: true, CEM_AS2_MDN: true,
  CEM_IO: true,
};
const KNOWN_CODES: ReadonlySet<string> = new Set(Object.keys(CODES));

/** Longest error message kept; longer ones are cut (no message may carry a peer's megabytes). */
const MAX_MESSAGE_CHARS = 2000;

/**
 * Base class of every error thrown by ediint-cem. Recognise it with {@link isCemError} (brand and
 * code), not `instanceof`: a second copy of the package (its CommonJS build beside the ESM one)
 * has its own classes.
 *
 * @example
 * ```ts
 * try { parseCemRequest(xml) } catch (e) {
 *   if (isCemError(e) && e.code === 'CEM_XML_DOCTYPE') reject('unsafe XML')
 * }
 * ```
 */
export class CemError<C extends CemErrorCode = CemErrorCode> extends Error {
  override readonly name: string = 'CemError';
  /** Stable, machine-readable code. */
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    // a backstop: the messages quote input through a clipping helper, this bounds the rest
    super(message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}… (message cut)` : message, options);
    this.code = code;
    Object.defineProperty(this, CEM_ERROR_BRAND, { value: true, enumerable: false });
  }
}

/**
 * Malformed, unsafe or schema-invalid CEM XML.
 *
 * @example
 * ```ts
 * try { parseCemRequest(xml) } catch (e) { if (isCemError(e) && e.code.startsWith('CEM_XML_')) log(e.code) } // e.g. CEM_XML_DOCTYPE
 * ```
 */
export class CemXmlError extends CemError<CemXmlErrorCode> {
  override readonly name = 'CemXmlError';
}

/**
 * Malformed or inconsistent CEM MIME packaging.
 *
 * @example
 * ```ts
 * try { parseCemEntity(body) } catch (e) { if (isCemError(e, 'CEM_MIME_NOT_CEM')) passOn(body) }
 * ```
 */
export class CemMimeError extends CemError<CemMimeErrorCode> {
  override readonly name = 'CemMimeError';
}

/**
 * Unreadable or inconsistent certificates, PKCS#7 or CMS structures.
 *
 * @example
 * ```ts
 * try { readCertsOnly(p7c) } catch (e) { if (isCemError(e)) reject(e.code) } // e.g. CEM_PKCS7_END_ENTITY
 * ```
 */
export class CemCryptoError extends CemError<CemCryptoErrorCode> {
  override readonly name = 'CemCryptoError';
}

/**
 * An argument given to a builder or operation is invalid (code `CEM_ARGUMENT`).
 *
 * @example
 * ```ts
 * throw new CemArgumentError('requestId must be 1-255 characters')
 * ```
 */
export class CemArgumentError extends CemError<CemArgumentErrorCode> {
  override readonly name = 'CemArgumentError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('CEM_ARGUMENT', message, options);
  }
}

/**
 * A failure in the engine or one of the host's ports.
 *
 * @example
 * ```ts
 * throw new CemEngineError('CEM_STORE_CONFLICT', `record ${key} changed since it was read`)
 * ```
 */
export class CemEngineError extends CemError<CemEngineErrorCode> {
  override readonly name = 'CemEngineError';
}

/**
 * A failed AS2 exchange: HTTP (`CEM_AS2_HTTP`) or its MDN (`CEM_AS2_MDN`).
 *
 * @example
 * ```ts
 * try { await client.send(message) } catch (e) { if (e instanceof CemAs2Error && e.code === 'CEM_AS2_MDN') alert(e.message) }
 * ```
 */
export class CemAs2Error extends CemError<CemAs2ErrorCode> {
  override readonly name = 'CemAs2Error';
}

/** Any error the SDK throws, discriminated by `code`. */
export type AnyCemError = CemXmlError | CemMimeError | CemCryptoError | CemArgumentError | CemEngineError | CemAs2Error;

/**
 * True when `value` is a {@link CemError} (optionally with the given code), whichever copy or
 * build of this package made it: the check is a cross-realm brand (`Symbol.for('ediint-cem.error')`)
 * plus a known `code`, never `instanceof`, so an error thrown by the CommonJS build (say, by a
 * store adapter compiled to CommonJS) is recognised by the ESM build and the other way round.
 *
 * @example
 * ```ts
 * if (isCemError(err, 'CEM_STORE_CONFLICT')) retry()
 * ```
 */
export function isCemError<C extends CemErrorCode>(value: unknown, code?: C): value is CemError<C> {
  if (typeof value !== 'object' || value === null) return false;
  const branded = (value as { [CEM_ERROR_BRAND]?: unknown })[CEM_ERROR_BRAND] === true;
  const actual = (value as { code?: unknown }).code;
  if (!branded || typeof actual !== 'string' || !KNOWN_CODES.has(actual)) return false;
  return code === undefined || actual === code;
}
