/**
 * The parsed XML tree's node types, in a leaf module shared by the tree builder and the namespace
 * resolver.
 *
 * @module
 */

/** An attribute with its namespace resolved (`ns` is `null` for unprefixed attributes). */
export interface XmlAttribute {
  readonly ns: string | null;
  readonly local: string;
  readonly qname: string;
  readonly value: string;
}

/** An element with its namespace resolved by URI (`ns` is `null` when in no namespace). */
export interface XmlElement {
  readonly kind: 'element';
  readonly ns: string | null;
  readonly local: string;
  readonly qname: string;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlNode[];
}

/** Character data: text (references resolved) or a CDATA section. */
export interface XmlText {
  readonly kind: 'text';
  readonly value: string;
}

/** A child node kept by the parser (comments and processing instructions are dropped). */
export type XmlNode = XmlElement | XmlText;
