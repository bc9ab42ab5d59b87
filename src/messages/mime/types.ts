/**
 * Data types of the generic MIME layer (RFC 2045, RFC 2046, RFC 2387).
 *
 * Every value is plain and frozen. Byte arrays cannot be frozen: treat them as read-only.
 *
 * @module
 */

/**
 * One header field: the name as written and the value unfolded (RFC 5322 §2.2.3) and trimmed.
 *
 * @example
 * ```ts
 * const h: MimeHeader = { name: 'content-id', value: '<cert-1@example.org>' };
 * ```
 */
export interface MimeHeader {
  /** The field name exactly as written, e.g. `content-id` or `Content-ID`. */
  readonly name: string;
  /** The unfolded value: line breaks of folded lines removed, outer whitespace trimmed. */
  readonly value: string;
}

/**
 * A parsed media type (RFC 2045 §5.1 with RFC 2231 parameter continuations and charsets).
 *
 * @example
 * ```ts
 * const mt: MediaType = parseMediaType('multipart/related; type="application/ediint-cert-exchange+xml"; boundary=b1');
 * mt.essence;         // 'multipart/related'
 * mt.params.boundary; // 'b1'
 * ```
 */
export interface MediaType {
  /** Top-level type, lower-cased, e.g. `multipart`. */
  readonly type: string;
  /** Subtype, lower-cased, e.g. `related`. */
  readonly subtype: string;
  /** `type/subtype`, lower-cased. */
  readonly essence: string;
  /** Parameters by lower-cased name; values unquoted, unescaped and RFC 2231-decoded. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * A parsed (or built) MIME entity: its header fields and its body, both as carried on the wire
 * (`rawBody`) and decoded per `Content-Transfer-Encoding` (`body`).
 *
 * @example
 * ```ts
 * const entity: MimeEntity = parseMimeEntity(bytes);
 * for (const part of entity.parts ?? []) console.log(part.contentType?.essence, getHeader(part, 'Content-ID'));
 * ```
 */
export interface MimeEntity {
  /** Header fields in the order written. Look them up with `getHeader`. */
  readonly headers: readonly MimeHeader[];
  /** The body decoded per `Content-Transfer-Encoding` (identity for 7bit, 8bit, binary, absent). */
  readonly body: Uint8Array;
  /** The body bytes exactly as they follow the header block. */
  readonly rawBody: Uint8Array;
  /** The parsed `Content-Type`, `null` when the entity has none. */
  readonly contentType: MediaType | null;
  /** The body parts when the entity is `multipart/*`, in order. */
  readonly parts?: readonly MimeEntity[];
}

/**
 * Limits applied by `parseMimeEntity`.
 *
 * @example
 * ```ts
 * parseMimeEntity(bytes, { maxBytes: 4 * 1024 * 1024, maxDepth: 4, maxParts: 50, maxHeaderFields: 200 });
 * ```
 */
export interface ParseMimeOptions {
  /** Largest accepted input in bytes; 16 MiB by default. Larger input fails with `CEM_MIME_TOO_LARGE`. */
  readonly maxBytes?: number;
  /** Deepest accepted multipart nesting; 8 by default (the outermost entity is depth 0). */
  readonly maxDepth?: number;
  /** Most body parts accepted in the whole tree; 1000 by default. */
  readonly maxParts?: number;
  /** Most header fields accepted in one header block (each entity's own); 1000 by default. */
  readonly maxHeaderFields?: number;
  /** Largest accepted header block (each entity's own, up to its empty line) in bytes; 64 KiB by default. */
  readonly maxHeaderBytes?: number;
}

/**
 * Content-Transfer-Encoding values the builder can write.
 *
 * @example
 * ```ts
 * buildMimeEntity({ contentType: 'application/pkcs7-mime; smime-type=certs-only', body: p7c, transferEncoding: 'base64' });
 * ```
 */
export type MimeTransferEncoding = 'base64' | 'binary' | '8bit' | '7bit';
