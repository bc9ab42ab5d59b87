/**
 * Shared writing of CEM XML: argument checks and the parts Requests and Responses share.
 *
 * Output is spec-exact: UTF-8 declaration, root in the default CEM namespace with `ds` declared,
 * schema element order, two-space indentation between elements and never whitespace inside a
 * value, dates as `yyyy-MM-ddTHH:mm:ss±hh:mm`.
 *
 * @module
 */
import { CemArgumentError } from '../../errors.js';
import type { IssuerSerial } from '../../types.js';
import { formatCemDateTime } from '../datetime.js';
import type { CemDateTime, CemTradingPartner } from '../model.js';
import { CEM_NAMESPACE, XMLDSIG_NAMESPACE } from '../xml-vocabulary.js';
import { assertXmlChars, escapeXmlAttribute, escapeXmlText } from './xml-escape.js';

/** The XML declaration every CEM document starts with. */
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

const SURROUNDING_SPACE = /^[ \t\r\n]|[ \t\r\n]$/;

/**
 * Checks a value written as text or attribute: a non-empty string of XML characters without
 * whitespace around it.
 *
 * @throws CemArgumentError `CEM_ARGUMENT`.
 */
export function checkValue(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new CemArgumentError(`${what} must be a non-empty string`);
  assertXmlChars(value, what);
  if (SURROUNDING_SPACE.test(value)) throw new CemArgumentError(`${what} must not start or end with whitespace`);
  return value;
}

/** Checks `requestId`: required on write, 1–255 characters. */
export function checkRequestId(value: unknown): string {
  if (value === null || value === undefined) {
    throw new CemArgumentError('requestId is required: every CEM document we write carries one');
  }
  const id = checkValue(value, 'requestId');
  const length = [...id].length;
  if (length > 255) throw new CemArgumentError(`requestId has ${length} characters, more than 255`);
  return id;
}

/**
 * Checks a serial number: an `xs:integer` lexical form (`+` or `-`, digits; leading zeros allowed,
 * so a Response can echo a Request's serial exactly; our builders write canonical decimal from
 * the certificate, negative when the certificate's serial is) of at most 160 characters.
 */
export function checkSerial(value: unknown, what: string): string {
  if (typeof value !== 'string' || !/^[+-]?[0-9]+$/.test(value) || value.length > 160) {
    throw new CemArgumentError(`${what} must be a decimal integer (optional + or -, digits; at most 160 characters)`);
  }
  return value;
}

/** Checks that `value` is a non-null object (for nested arguments). */
export function checkObject<T extends object>(value: T | null | undefined, what: string): T {
  if (typeof value !== 'object' || value === null) throw new CemArgumentError(`${what} must be an object`);
  return value;
}

/** Checks a non-empty array. */
export function checkNonEmptyArray<T>(value: readonly T[] | null | undefined, what: string): readonly T[] {
  if (!Array.isArray(value) || value.length === 0) throw new CemArgumentError(`${what} must be a non-empty array`);
  return value;
}

/** Refuses the second occurrence of a key. */
export function checkUnique(keys: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) throw new CemArgumentError(`${what} appears twice`);
    seen.add(key);
  }
}

/** The root start tag, with the CEM default namespace, `ds` and `requestId` (omitted when `null`). */
export function rootStartTag(local: string, requestId: string | null): string {
  const id = requestId === null ? '' : ` requestId="${escapeXmlAttribute(requestId)}"`;
  return `<${local} xmlns="${CEM_NAMESPACE}" xmlns:ds="${XMLDSIG_NAMESPACE}"${id}>`;
}

/** One simple-content element on its own indented line. */
export function textElement(depth: number, qname: string, value: string, attributes = ''): string {
  return `${indent(depth)}<${qname}${attributes}>${escapeXmlText(value)}</${qname}>`;
}

/** Indentation for an element at `depth` (the root is 0). */
export function indent(depth: number): string {
  return '  '.repeat(depth);
}

/** A date re-formatted spec-exact from its instant and offset (`null` offset → `+00:00`). */
export function formatDate(value: CemDateTime | null | undefined, what: string): string {
  const date = checkObject(value, what);
  if (date.offsetMinutes !== null && typeof date.offsetMinutes !== 'number') {
    throw new CemArgumentError(`${what}.offsetMinutes must be a number or null`);
  }
  try {
    return formatCemDateTime(date.instant, { offsetMinutes: date.offsetMinutes ?? 0 });
  } catch (cause) {
    throw new CemArgumentError(`${what} cannot be written: ${(cause as Error).message}`, { cause });
  }
}

/** `TradingPartnerInfo` at depth 1: `Name qualifier=…` then `MessageOriginated`. */
export function writeTradingPartnerInfo(sender: CemTradingPartner, originated: CemDateTime): string[] {
  const partner = checkObject(sender, 'sender');
  const name = checkValue(partner.name, 'sender.name');
  const qualifier = partner.qualifier === null || partner.qualifier === undefined
    ? 'AS2'
    : checkValue(partner.qualifier, 'sender.qualifier');
  return [
    `${indent(1)}<TradingPartnerInfo>`,
    textElement(2, 'Name', name, ` qualifier="${escapeXmlAttribute(qualifier)}"`),
    textElement(2, 'MessageOriginated', formatDate(originated, 'originated')),
    `${indent(1)}</TradingPartnerInfo>`,
  ];
}

/** Checks an issuer + serial pair and returns it with checked fields. */
export function checkIssuerSerial(value: IssuerSerial | null | undefined, what: string): IssuerSerial {
  const certificate = checkObject(value, what);
  return {
    issuer: checkValue(certificate.issuer, `${what}.issuer`),
    serial: checkSerial(certificate.serial, `${what}.serial`),
  };
}

/** A `ds:X509IssuerSerialType` element (`CertificateIdentifier`/`CertificateReference`). */
export function writeIssuerSerial(depth: number, local: string, certificate: IssuerSerial): string[] {
  return [
    `${indent(depth)}<${local}>`,
    textElement(depth + 1, 'ds:X509IssuerName', certificate.issuer),
    textElement(depth + 1, 'ds:X509SerialNumber', certificate.serial),
    `${indent(depth)}</${local}>`,
  ];
}

/** Joins the lines of a document after the XML declaration, with a final newline. */
export function joinDocument(lines: readonly string[]): string {
  return `${[XML_DECLARATION, ...lines].join('\n')}\n`;
}
