/**
 * A small, strict, namespace-aware XML 1.0 parser for CEM documents.
 *
 * It handles exactly what a CEM document may contain: an XML declaration, comments, processing
 * instructions, elements, attributes, text, CDATA sections, the five predefined entities and
 * numeric character references. A DTD is never read (the input gate refuses it beforehand), so
 * no other entity exists and none is ever expanded. The parser is iterative (no recursion) and
 * bounded in depth, element count and attributes per element.
 *
 * @module
 */
import { CemXmlError } from '../../errors.js';
import { resolveElementNames, type NamespaceScope, type RawAttribute } from './xml-names.js';
import { clip } from '../../quote.js';

export type { XmlAttribute, XmlElement, XmlNode, XmlText } from './xml-types.js';
import type { XmlElement, XmlNode } from './xml-types.js';

/** Structural bounds that keep hostile input from exhausting time or memory. */
export interface XmlLimits {
  readonly maxDepth: number;
  readonly maxElements: number;
  readonly maxAttributes: number;
}

/** The default bounds: far beyond any CEM document, far below anything harmful. */
export const DEFAULT_XML_LIMITS: XmlLimits = Object.freeze({
  maxDepth: 64,
  maxElements: 20_000,
  maxAttributes: 64,
});

/** An element while its children are being read. */
interface MutableElement extends XmlElement {
  readonly children: XmlNode[];
}

interface OpenElement {
  readonly qname: string;
  readonly node: MutableElement;
  readonly scope: NamespaceScope;
}

const INVALID_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const NAME_START =
  ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D' +
  '\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME = new RegExp(`[${NAME_START}][${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040]*`, 'uy');
const SPACE = /[ \t\n]*/y;
const XML_DECL =
  /<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(["'])1\.[0-9]+\1(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(["'])(?:yes|no)\3)?[ \t\n]*\?>/y;
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Parses a whole document into its root element.
 *
 * @throws CemXmlError `CEM_XML_MALFORMED` when the text is not well-formed (namespace-aware),
 * `CEM_XML_TOO_LARGE` when a structural bound is exceeded.
 */
export function parseXmlTree(input: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  const s = input.replace(/\r\n?/g, '\n');
  const bad = INVALID_CHAR.exec(s);
  if (bad !== null) throw malformed(`character U+${hex(bad[0])} is not allowed in XML`, bad.index);
  XML_DECL.lastIndex = 0;
  let pos = 0;
  if (XML_DECL.test(s)) pos = XML_DECL.lastIndex;
  else if (/^<\?xml[ \t\n?]/.test(s)) throw malformed('malformed XML declaration', 0);
  const tree: TreeState = { stack: [], root: undefined, elements: 0, limits };
  while (pos < s.length) {
    const lt = s.indexOf('<', pos);
    if (lt !== pos) pos = addText(tree, s, pos, lt < 0 ? s.length : lt);
    else if (s.startsWith('<!--', pos)) pos = skipComment(s, pos);
    else if (s.startsWith('<?', pos)) pos = skipProcessingInstruction(s, pos);
    else if (s.startsWith('<![CDATA[', pos)) pos = addCdata(tree, s, pos);
    else if (s.startsWith('<!', pos)) throw malformed('unexpected markup declaration', pos);
    else if (s.startsWith('</', pos)) pos = closeElement(tree, s, pos);
    else pos = openElement(tree, s, pos);
  }
  const open = tree.stack[tree.stack.length - 1];
  if (open !== undefined) throw malformed(`<${clip(open.qname)}> is not closed (truncated?)`, pos);
  if (tree.root === undefined) throw malformed('no root element', pos);
  return tree.root;
}

interface TreeState {
  readonly stack: OpenElement[];
  root: XmlElement | undefined;
  elements: number;
  readonly limits: XmlLimits;
}

function addText(tree: TreeState, s: string, pos: number, end: number): number {
  const raw = s.slice(pos, end);
  const top = tree.stack[tree.stack.length - 1];
  if (top === undefined) {
    if (!/^[ \t\n]*$/.test(raw)) throw malformed('text outside the root element', pos);
  } else {
    if (raw.includes(']]>')) throw malformed('"]]>" in text', pos);
    top.node.children.push({ kind: 'text', value: decodeReferences(raw, false, pos) });
  }
  return end;
}

function addCdata(tree: TreeState, s: string, pos: number): number {
  const top = tree.stack[tree.stack.length - 1];
  if (top === undefined) throw malformed('CDATA outside the root element', pos);
  const end = s.indexOf(']]>', pos + 9);
  if (end < 0) throw malformed('unterminated CDATA section', pos);
  top.node.children.push({ kind: 'text', value: s.slice(pos + 9, end) });
  return end + 3;
}

function closeElement(tree: TreeState, s: string, pos: number): number {
  const open = tree.stack.pop();
  const name = readName(s, pos + 2);
  if (open === undefined || name.value !== open.qname) {
    throw malformed(`end tag </${clip(name.value)}> does not match`, pos);
  }
  if (tree.stack.length === 0) tree.root = open.node;
  return expect(s, skipSpace(s, name.end), '>');
}

function openElement(tree: TreeState, s: string, pos: number): number {
  const { stack, limits } = tree;
  if (tree.root !== undefined) throw malformed('content after the root element', pos);
  tree.elements += 1;
  if (tree.elements > limits.maxElements) throw tooLarge(`more than ${limits.maxElements} elements`);
  if (stack.length >= limits.maxDepth) throw tooLarge(`nesting deeper than ${limits.maxDepth}`);
  const tag = readStartTag(s, pos, limits.maxAttributes);
  const parent = stack[stack.length - 1];
  const resolved = resolveElementNames(tag.qname, tag.attributes, parent?.scope ?? null);
  const node: MutableElement = {
    kind: 'element',
    ns: resolved.ns,
    local: resolved.local,
    qname: tag.qname,
    attributes: resolved.attributes,
    children: [],
  };
  parent?.node.children.push(node);
  if (!tag.selfClosing) stack.push({ qname: tag.qname, node, scope: resolved.scope });
  else if (parent === undefined) tree.root = node;
  return tag.end;
}

function readStartTag(
  s: string,
  start: number,
  maxAttributes: number,
): { qname: string; attributes: RawAttribute[]; selfClosing: boolean; end: number } {
  const name = readName(s, start + 1);
  const attributes: RawAttribute[] = [];
  let pos = name.end;
  for (;;) {
    const afterSpace = skipSpace(s, pos);
    if (s.startsWith('/>', afterSpace)) return { qname: name.value, attributes, selfClosing: true, end: afterSpace + 2 };
    if (s[afterSpace] === '>') return { qname: name.value, attributes, selfClosing: false, end: afterSpace + 1 };
    if (afterSpace === pos) throw malformed('attributes must be separated by whitespace', pos);
    const attrName = readName(s, afterSpace);
    pos = expect(s, skipSpace(s, attrName.end), '=');
    pos = skipSpace(s, pos);
    const quote = s[pos];
    if (quote !== '"' && quote !== "'") throw malformed('attribute value must be quoted', pos);
    const close = s.indexOf(quote, pos + 1);
    if (close < 0) throw malformed('unterminated attribute value', pos);
    const raw = s.slice(pos + 1, close);
    if (raw.includes('<')) throw malformed('"<" in an attribute value', pos);
    if (attributes.some((a) => a.qname === attrName.value)) {
      throw malformed(`attribute ${clip(attrName.value)} appears twice`, afterSpace);
    }
    attributes.push({ qname: attrName.value, value: decodeReferences(raw, true, pos) });
    if (attributes.length > maxAttributes) throw tooLarge(`more than ${maxAttributes} attributes`);
    pos = close + 1;
  }
}

/** A well-formed reference after `&`: a character reference or `Name;` (XML 1.0 §4.1). */
const REFERENCE = new RegExp(`#x([0-9A-Fa-f]+);|#([0-9]+);|([${NAME_START}][${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040]*);`, 'uy');

/**
 * Resolves the five predefined entities and numeric character references; any other well-formed
 * entity reference (`&foo;`) is refused, and so is a `&#` that is not a character reference.
 *
 * Peer workaround: mendelson writes AS2 names and issuer names without escaping (`AT&T`,
 * `Procter & Gamble`), which no conforming parser reads. A `&` that does not begin a well-formed
 * reference is therefore read as a literal `&`; nothing else is relaxed (`<` in text still ends
 * the text, and an undefined entity is still refused).
 */
function decodeReferences(raw: string, attribute: boolean, at: number): string {
  let out = '';
  let i = 0;
  for (;;) {
    const amp = raw.indexOf('&', i);
    const chunk = raw.slice(i, amp < 0 ? undefined : amp);
    out += attribute ? chunk.replace(/[\t\n]/g, ' ') : chunk;
    if (amp < 0) return out;
    REFERENCE.lastIndex = amp + 1;
    const m = REFERENCE.exec(raw);
    if (m === null) {
      if (raw[amp + 1] === '#') throw malformed('malformed character reference', at + amp);
      out += '&'; // a bare ampersand (peer workaround, see above)
      i = amp + 1;
      continue;
    }
    out += m[3] !== undefined ? namedEntity(m[3], at + amp) : characterReference(m[1], m[2], at + amp);
    i = REFERENCE.lastIndex;
  }
}

function namedEntity(name: string, at: number): string {
  const named = PREDEFINED[name];
  if (named === undefined) throw malformed(`undefined entity &${clip(name, 40)}; (no entity is ever expanded)`, at);
  return named;
}

/** A character reference; leading zeros are allowed in any number (`&#x0000000041;` is `A`). */
function characterReference(hexDigits: string | undefined, decimalDigits: string | undefined, at: number): string {
  const digits = (hexDigits ?? decimalDigits ?? '').replace(/^0+(?=.)/, '');
  const radix = hexDigits !== undefined ? 16 : 10;
  const code = digits.length > 8 ? Number.POSITIVE_INFINITY : Number.parseInt(digits, radix);
  const char = code <= 0x10ffff ? String.fromCodePoint(code) : '\u0000';
  if (INVALID_CHAR.test(char)) throw malformed(`the character reference ${clip(digits, 20)} is not an XML character`, at);
  return char;
}

function skipComment(s: string, pos: number): number {
  const end = s.indexOf('-->', pos + 4);
  if (end < 0) throw malformed('unterminated comment', pos);
  const body = s.slice(pos + 4, end);
  if (body.includes('--') || body.endsWith('-')) throw malformed('"--" inside a comment', pos);
  return end + 3;
}

function skipProcessingInstruction(s: string, pos: number): number {
  const target = readName(s, pos + 2);
  if (target.value.toLowerCase() === 'xml') throw malformed('XML declaration not at the start', pos);
  // Namespaces in XML 1.0 §7: a processing instruction target contains no colon
  if (target.value.includes(':')) throw malformed('a processing instruction target must not contain ":"', pos);
  const end = s.indexOf('?>', target.end);
  if (end < 0) throw malformed('unterminated processing instruction', pos);
  if (end > target.end && !/[ \t\n]/.test(s[target.end] ?? '')) throw malformed('bad processing instruction', pos);
  return end + 2;
}

function readName(s: string, pos: number): { value: string; end: number } {
  NAME.lastIndex = pos;
  const m = NAME.exec(s);
  if (m === null) throw malformed('a name is expected', pos);
  return { value: m[0], end: NAME.lastIndex };
}

function skipSpace(s: string, pos: number): number {
  SPACE.lastIndex = pos;
  SPACE.exec(s);
  return SPACE.lastIndex;
}

function expect(s: string, pos: number, char: string): number {
  if (s[pos] !== char) throw malformed(`"${char}" expected`, pos);
  return pos + 1;
}

function hex(char: string): string {
  return (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}

function malformed(message: string, at: number): CemXmlError {
  return new CemXmlError('CEM_XML_MALFORMED', `malformed XML at offset ${at}: ${message}`);
}

function tooLarge(message: string): CemXmlError {
  return new CemXmlError('CEM_XML_TOO_LARGE', `CEM XML structure too large: ${message}`);
}
