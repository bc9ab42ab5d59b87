/**
 * Namespaces in XML 1.0: prefix → URI resolution with scoping, for the CEM XML parser.
 *
 * Elements and attributes are identified by (namespace URI, local name), whatever prefixes the
 * sender chose (`cem:`, `dsig:`, a default namespace, redeclarations on inner elements).
 *
 * @module
 */
import { CemXmlError } from '../../errors.js';
import type { XmlAttribute } from './xml-types.js';
import { quote, clip } from '../../quote.js';

/** The namespace bound to the `xml` prefix by definition. */
export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';
/** A local part must not start with a character that may only follow (digits, `-`, `.`, ...). */
const NCNAME_START = /^[^0-9.\-\u00B7\u0300-\u036F\u203F\u2040]/;

/**
 * The namespace bindings in force at an element: the default namespace, the prefixes declared
 * on that element, and the enclosing scope. Lookups walk the chain (at most the nesting depth),
 * so declarations are never copied from scope to scope.
 */
export interface NamespaceScope {
  readonly defaultNs: string | null;
  readonly prefixes: ReadonlyMap<string, string>;
  readonly parent: NamespaceScope | null;
}

/** An attribute as written in the start tag (value already entity-decoded). */
export interface RawAttribute {
  readonly qname: string;
  readonly value: string;
}

const ROOT_SCOPE: NamespaceScope = Object.freeze({
  defaultNs: null,
  prefixes: new Map([['xml', XML_NAMESPACE]]),
  parent: null,
});

/**
 * Applies an element's `xmlns` declarations to its parent's scope, then resolves the element
 * name and its other attributes.
 *
 * @throws CemXmlError `CEM_XML_MALFORMED` for an unbound prefix, an illegal declaration or two
 * attributes with the same expanded name.
 */
export function resolveElementNames(
  qname: string,
  raw: readonly RawAttribute[],
  parent: NamespaceScope | null,
): { ns: string | null; local: string; attributes: XmlAttribute[]; scope: NamespaceScope } {
  const scope = declare(raw, parent ?? ROOT_SCOPE);
  const element = splitQName(qname);
  const ns = element.prefix === null ? scope.defaultNs : lookup(scope, element.prefix);
  const attributes: XmlAttribute[] = [];
  for (const attribute of raw) {
    if (isDeclaration(attribute.qname)) continue;
    const name = splitQName(attribute.qname);
    const attrNs = name.prefix === null ? null : lookup(scope, name.prefix);
    if (attributes.some((a) => a.ns === attrNs && a.local === name.local)) {
      throw malformed(`attribute {${clip(attrNs ?? '')}}${clip(name.local)} appears twice`);
    }
    attributes.push(Object.freeze({ ns: attrNs, local: name.local, qname: attribute.qname, value: attribute.value }));
  }
  return { ns, local: element.local, attributes, scope };
}

function declare(raw: readonly RawAttribute[], parent: NamespaceScope): NamespaceScope {
  let defaultNs = parent.defaultNs;
  let prefixes: Map<string, string> | null = null;
  for (const { qname, value } of raw) {
    if (qname === 'xmlns') {
      if (value === XML_NAMESPACE || value === XMLNS_NAMESPACE) throw malformed(`xmlns=${quote(value)} is reserved`);
      defaultNs = value === '' ? null : value;
    } else if (qname.startsWith('xmlns:')) {
      const prefix = qname.slice(6);
      if (prefix === '' || prefix.includes(':') || !NCNAME_START.test(prefix)) throw malformed(`bad namespace declaration ${clip(qname)}`);
      if (prefix === 'xmlns') throw malformed('the xmlns prefix cannot be declared');
      if (value === '') throw malformed(`${clip(qname)}="" cannot undeclare a prefix in XML 1.0`);
      if ((prefix === 'xml') !== (value === XML_NAMESPACE) || value === XMLNS_NAMESPACE) {
        throw malformed(`${clip(qname)}=${quote(value)} misuses a reserved namespace`);
      }
      prefixes ??= new Map();
      prefixes.set(prefix, value);
    }
  }
  if (prefixes === null && defaultNs === parent.defaultNs) return parent;
  return { defaultNs, prefixes: prefixes ?? new Map(), parent };
}

function isDeclaration(qname: string): boolean {
  return qname === 'xmlns' || qname.startsWith('xmlns:');
}

function splitQName(qname: string): { prefix: string | null; local: string } {
  const colon = qname.indexOf(':');
  if (colon < 0) return { prefix: null, local: qname };
  const prefix = qname.slice(0, colon);
  const local = qname.slice(colon + 1);
  if (prefix === '' || !NCNAME_START.test(prefix) || local.includes(':') || !NCNAME_START.test(local)) {
    throw malformed(`bad qualified name ${clip(qname)}`);
  }
  return { prefix, local };
}

function lookup(scope: NamespaceScope, prefix: string): string {
  for (let current: NamespaceScope | null = scope; current !== null; current = current.parent) {
    const uri = current.prefixes.get(prefix);
    if (uri !== undefined) return uri;
  }
  throw malformed(`prefix ${clip(prefix)}: is not declared`);
}

function malformed(message: string): CemXmlError {
  return new CemXmlError('CEM_XML_MALFORMED', `malformed XML namespaces: ${message}`);
}
