/**
 * Shared reading of CEM XML: the document root, schema sequences and the value types that
 * Requests and Responses have in common (TradingPartnerInfo, X509IssuerSerial, dates).
 *
 * Tolerant of real peers (values trimmed, unknown attributes and extension elements ignored,
 * legacy namespaces accepted), strict on what the schema forbids.
 *
 * @module
 */
import { CemXmlError, type CemXmlErrorCode } from '../../errors.js';
import type { IssuerSerial } from '../../types.js';
import { parseCemDateTime } from '../datetime.js';
import type { CemDateTime, CemTradingPartner } from '../model.js';
import {
  CEM_LEGACY_NAMESPACES,
  CEM_NAMESPACE,
  XMLDSIG_NAMESPACE,
  type CemXmlParseOptions,
} from '../xml-vocabulary.js';
import { readXmlInput } from './xml-input.js';
import { parseXmlTree, type XmlElement } from './xml-tree.js';
import { trimXmlSpace } from './xml-space.js';
import { quote, clip } from '../../quote.js';

/** Root element local names by document kind. */
export const ROOT_NAMES = Object.freeze({
  request: 'EDIINTCertificateExchangeRequest',
  response: 'EDIINTCertificateExchangeResponse',
} as const);

/** Every element name of the CEM vocabulary: none may appear in an extension slot. */
const CEM_ELEMENT_NAMES: ReadonlySet<string> = new Set([
  ROOT_NAMES.request, ROOT_NAMES.response, 'TradingPartnerInfo', 'Name', 'MessageOriginated',
  'TrustRequest', 'TrustResponse', 'CertUsage', 'RespondByDate', 'ResponseURL', 'EndEntity',
  'CertificateIdentifier', 'CertificateContentID', 'CertStatus', 'ReasonForRejection',
  'CertificateReference', 'Extensions',
]);

/** A parsed, checked CEM root: its kind, element and the CEM namespace it uses. */
export interface CemRoot {
  readonly kind: 'request' | 'response';
  readonly element: XmlElement;
  /** {@link CEM_NAMESPACE} or the legacy alias the document uses throughout. */
  readonly ns: string;
}

/**
 * Runs the safety gate and the well-formedness parser, then identifies the root.
 *
 * @throws CemXmlError `CEM_XML_TOO_LARGE`, `CEM_XML_DOCTYPE`, `CEM_XML_MALFORMED`,
 * `CEM_XML_ROOT` (unknown root name), `CEM_XML_NAMESPACE` (right name, wrong namespace).
 */
export function readCemRoot(xml: string | Uint8Array, options: CemXmlParseOptions | undefined): CemRoot {
  const element = parseXmlTree(readXmlInput(xml, options?.maxBytes));
  const kind =
    element.local === ROOT_NAMES.request ? 'request' : element.local === ROOT_NAMES.response ? 'response' : null;
  if (kind === null) {
    throw new CemXmlError('CEM_XML_ROOT', `<${clip(element.qname)}> is not a CEM Request or Response`);
  }
  const ns = element.ns;
  if (ns !== CEM_NAMESPACE && (ns === null || !CEM_LEGACY_NAMESPACES.includes(ns))) {
    throw new CemXmlError(
      'CEM_XML_NAMESPACE',
      `<${clip(element.local)}> is in namespace ${quote(ns ?? '')}, not ${CEM_NAMESPACE}`,
    );
  }
  return { kind, element, ns };
}

/** Walks an element's children in schema order. */
export interface ChildCursor {
  /** Consumes the next child if it is the CEM element `local`. */
  optional(local: string): XmlElement | undefined;
  /** Consumes the next child, which must be the CEM element `local`. */
  required(local: string): XmlElement;
  /** Consumes consecutive CEM elements `local`. */
  many(local: string): XmlElement[];
  /** True when a CEM element `local` is among the children not yet consumed. */
  remains(local: string): boolean;
  /** An `xs:any` slot: consumes the rest, refusing CEM vocabulary elements. */
  extensions(): void;
  /** The end of a sequence without a wildcard: nothing may remain. */
  end(): void;
}

/** A cursor over the element children of `parent` (text between them must be whitespace). */
export function childCursor(parent: XmlElement, ns: string): ChildCursor {
  const children = elementChildren(parent);
  let index = 0;
  const isNext = (local: string): boolean => {
    const next = children[index];
    return next !== undefined && next.ns === ns && next.local === local;
  };
  return {
    optional: (local) => (isNext(local) ? children[index++] : undefined),
    required(local) {
      if (isNext(local)) return children[index++] as XmlElement;
      const found = children[index];
      throw invalid(
        found === undefined
          ? `<${clip(parent.local)}> lacks <${local}>`
          : `<${clip(parent.local)}> has <${clip(found.qname)}> where <${local}> is expected`,
      );
    },
    many(local) {
      const taken: XmlElement[] = [];
      while (isNext(local)) taken.push(children[index++] as XmlElement);
      return taken;
    },
    remains: (local) => children.slice(index).some((c) => c.ns === ns && c.local === local),
    extensions() {
      for (const child of children.slice(index)) {
        if (child.ns === ns && CEM_ELEMENT_NAMES.has(child.local)) {
          throw invalid(`<${clip(child.local)}> is not allowed at this place in <${clip(parent.local)}>`);
        }
      }
      index = children.length;
    },
    end() {
      const extra = children[index];
      if (extra !== undefined) throw invalid(`<${clip(extra.qname)}> is not allowed in <${clip(parent.local)}>`);
    },
  };
}

/** The trimmed text of a simple-content element (text and CDATA; no child elements). */
export function simpleText(element: XmlElement): string {
  let text = '';
  for (const child of element.children) {
    if (child.kind === 'element') throw invalid(`<${clip(element.local)}> must not contain <${clip(child.qname)}>`);
    text += child.value;
  }
  return trimXmlSpace(text);
}

/** Like {@link simpleText}, refusing an empty value. */
export function requiredText(element: XmlElement): string {
  const text = simpleText(element);
  if (text === '') throw invalid(`<${clip(element.local)}> is empty`);
  return text;
}

/** The trimmed value of an unqualified attribute, `undefined` when absent. */
export function attributeValue(element: XmlElement, local: string): string | undefined {
  const found = element.attributes.find((a) => a.ns === null && a.local === local);
  return found === undefined ? undefined : trimXmlSpace(found.value);
}

/** The root's `requestId`, `null` when absent; 1–255 characters when present. */
export function readRequestId(root: XmlElement): string | null {
  const id = attributeValue(root, 'requestId');
  if (id === undefined) return null;
  const length = [...id].length;
  if (length < 1 || length > 255) throw invalid(`requestId has ${length} characters, not 1 to 255`);
  return id;
}

/** `TradingPartnerInfo`: `Name` (+ `qualifier`), `MessageOriginated`, extensions. */
export function readTradingPartnerInfo(
  element: XmlElement,
  ns: string,
): { sender: CemTradingPartner; originated: CemDateTime } {
  const cursor = childCursor(element, ns);
  const nameElement = cursor.required('Name');
  const originated = readDate(cursor.required('MessageOriginated'));
  cursor.extensions();
  const qualifier = attributeValue(nameElement, 'qualifier');
  const sender = Object.freeze({
    name: requiredText(nameElement),
    qualifier: qualifier === undefined || qualifier === '' ? null : qualifier,
  });
  return { sender, originated };
}

/** An `xs:dateTime` element. */
export function readDate(element: XmlElement): CemDateTime {
  return parseCemDateTime(simpleText(element));
}

/**
 * A `ds:X509IssuerSerialType` element: issuer and serial strings as written (trimmed), so a
 * Response can echo them exactly (draft-14 §3.2); the serial is checked to be an `xs:integer`
 * but keeps its sign and leading zeros (compare serials by value).
 */
export function readIssuerSerial(element: XmlElement): IssuerSerial {
  const children = elementChildren(element);
  const [issuerElement, serialElement, extra] = children;
  for (const [child, local] of [[issuerElement, 'X509IssuerName'], [serialElement, 'X509SerialNumber']] as const) {
    if (child === undefined) throw invalid(`<${clip(element.local)}> lacks ds:${local}`);
    if (child.local !== local) throw invalid(`<${clip(element.local)}> has <${clip(child.qname)}> where ds:${local} is expected`);
    if (child.ns !== XMLDSIG_NAMESPACE) {
      throw invalid(`<${clip(child.qname)}> must be in the xmldsig namespace ${XMLDSIG_NAMESPACE}`);
    }
  }
  if (extra !== undefined) throw invalid(`<${clip(extra.qname)}> is not allowed in <${clip(element.local)}>`);
  const issuer = requiredText(issuerElement as XmlElement);
  const serial = checkWireSerial(simpleText(serialElement as XmlElement));
  return Object.freeze({ issuer, serial });
}

/**
 * Longest `X509SerialNumber` text read: a 64-octet serial (the bound the certificate reader
 * accepts; RFC 5280 allows 20) has at most 155 decimal digits, so 160 characters leave room for a
 * sign and a few leading zeros. Longer values are refused before any conversion.
 */
export const MAX_WIRE_SERIAL_CHARS = 160;

/**
 * A serial number as an `xs:integer`: optional `+` or `-` (mendelson writes a negative serial as
 * Java's `BigInteger.toString()` does, `-5`; RFC 5280 §4.1.2.2 asks users to handle them), then
 * digits, at most {@link MAX_WIRE_SERIAL_CHARS} characters, returned as written (sign and
 * leading zeros kept: compare serials by value). Hexadecimal, exponent or empty values are refused.
 *
 * @throws CemXmlError `CEM_XML_SERIAL`.
 */
export function checkWireSerial(text: string): string {
  if (text.length > MAX_WIRE_SERIAL_CHARS) {
    throw new CemXmlError('CEM_XML_SERIAL', `X509SerialNumber has ${text.length} characters, more than ${MAX_WIRE_SERIAL_CHARS}`);
  }
  if (!/^[+-]?[0-9]+$/.test(text)) {
    throw new CemXmlError('CEM_XML_SERIAL', `X509SerialNumber ${quote(text, 60)} is not a decimal integer`);
  }
  return text;
}

/** Refuses a second use of the same key (a certificate's meaning key, or a lower-cased Content-ID). */
export function uniqueKeys(keys: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) throw invalid(`${what} appears twice in one document`);
    seen.add(key);
  }
}

/** A `CEM_XML_INVALID` error. */
export function invalid(message: string): CemXmlError {
  return cemXmlError('CEM_XML_INVALID', message);
}

/** A CEM XML error with the given code. */
export function cemXmlError(code: CemXmlErrorCode, message: string): CemXmlError {
  return new CemXmlError(code, message);
}

function elementChildren(parent: XmlElement): XmlElement[] {
  const elements: XmlElement[] = [];
  for (const child of parent.children) {
    if (child.kind === 'element') elements.push(child);
    else if (!/^[ \t\r\n]*$/.test(child.value)) throw invalid(`<${clip(parent.local)}> contains stray text`);
  }
  return elements;
}
