import sax from 'sax';
import { DavError } from '../errors.js';
import { NS, qname, type QName } from './names.js';

/** A parsed XML element: just what WebDAV request bodies need. */
export interface XmlElement {
  name: QName;
  attrs: Record<string, string>; // local attribute names (WebDAV bodies use unqualified ones)
  /**
   * The same attributes by qualified name: "{namespace}local" for prefixed ones
   * (xml:lang), the bare name for unprefixed ones, which are in no namespace. What
   * re-serialising a dead property needs to give back what the client set.
   */
  qualifiedAttrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export interface XmlLimits {
  maxXmlDepth: number;
  maxXmlElements: number;
  /** Attributes in a whole body (namespace declarations included). */
  maxXmlAttributes: number;
}

/** Attributes on one element: WebDAV elements carry a handful; thousands are an attack. */
export const MAX_ATTRIBUTES_PER_ELEMENT = 256;

/** Prefix → namespace URI in scope; '' is the default namespace. Inner scopes inherit through the prototype. */
type Scope = Record<string, string>;

/**
 * Parses a request body into an element tree with sax in strict mode. DTDs are refused
 * outright (no entity expansion attacks, no external entities); sax in strict mode knows
 * only the five predefined entities.
 *
 * Namespaces are resolved here rather than by sax's xmlns mode, whose duplicate-attribute
 * check is quadratic in an element's attributes (240,000 attributes held the event loop
 * for 52 s): here each attribute is counted as sax reports it and the limits stop the
 * parse at once, so the cost stays linear in the body.
 */
export function parseXml(body: string, limits: XmlLimits): XmlElement {
  // strictEntities (missing from @types/sax): only the five XML entities, not HTML's.
  const options: sax.SAXOptions & { strictEntities: boolean } = { xmlns: false, position: false, strictEntities: true };
  const parser = sax.parser(true, options);
  const stack: { el: XmlElement; scope: Scope }[] = [];
  let root: XmlElement | undefined;
  let elements = 0;
  let attributes = 0;
  let onElement = 0;
  let failure: string | undefined;

  const fail = (reason: string): never => {
    failure ??= reason;
    throw new Error(reason);
  };

  parser.onerror = (e) => fail(e.message.split('\n')[0]!);
  parser.ondoctype = () => fail('DOCTYPE declarations are not allowed');
  parser.onopentagstart = () => {
    onElement = 0;
    if (++elements > limits.maxXmlElements) fail(`more than ${limits.maxXmlElements} elements`);
    if (stack.length >= limits.maxXmlDepth) fail(`nesting deeper than ${limits.maxXmlDepth}`);
  };
  parser.onattribute = () => {
    if (++onElement > MAX_ATTRIBUTES_PER_ELEMENT) fail(`more than ${MAX_ATTRIBUTES_PER_ELEMENT} attributes on an element`);
    if (++attributes > limits.maxXmlAttributes) fail(`more than ${limits.maxXmlAttributes} attributes`);
  };
  parser.onopentag = (tag) => {
    const t = tag as sax.Tag;
    const parent = stack[stack.length - 1];
    const scope = declaredScope(t.attributes, parent?.scope, fail);
    const resolve = (prefix: string) => scope[prefix] ?? (prefix === '' ? '' : fail(`unbound namespace prefix ${prefix}`));
    const attrs: Record<string, string> = {};
    const qualifiedAttrs: Record<string, string> = {};
    for (const [name, value] of Object.entries(t.attributes)) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
      const prefix = prefixPart(name);
      attrs[localPart(name)] = value;
      qualifiedAttrs[prefix === '' ? name : qname(resolve(prefix), localPart(name))] = value;
    }
    const el: XmlElement = { name: qname(resolve(prefixPart(t.name)), localPart(t.name)), attrs, qualifiedAttrs, children: [], text: '' };
    if (parent) parent.el.children.push(el);
    else if (root) fail('more than one root element');
    else root = el;
    stack.push({ el, scope });
  };
  parser.onclosetag = () => {
    stack.pop();
  };
  const onText = (text: string) => {
    const top = stack[stack.length - 1];
    if (top) top.el.text += text;
  };
  parser.ontext = onText;
  parser.oncdata = onText;

  try {
    parser.write(body).close();
  } catch (e) {
    const reason = failure ?? (e instanceof Error ? e.message.split('\n')[0] : String(e));
    throw new DavError(400, `Malformed XML request body: ${reason}`);
  }
  if (!root) throw new DavError(400, 'Malformed XML request body: no root element');
  return root;
}

/** The scope an element's xmlns declarations make, on top of its parent's (Namespaces in XML 1.0 §5). */
function declaredScope(attributes: Record<string, string>, parent: Scope | undefined, fail: (reason: string) => never): Scope {
  const inherited: Scope = parent ?? Object.assign(Object.create(null) as Scope, { xml: NS.XML });
  let scope: Scope | undefined;
  for (const [name, value] of Object.entries(attributes)) {
    if (name !== 'xmlns' && !name.startsWith('xmlns:')) continue;
    const prefix = name === 'xmlns' ? '' : name.slice(6);
    if (prefix !== '' && value === '') fail(`the prefix ${prefix} cannot be undeclared`);
    if (prefix === 'xmlns' || (prefix === 'xml') !== (value === NS.XML)) fail(`the prefix ${prefix || '(default)'} cannot be bound to ${value}`);
    scope ??= Object.create(inherited) as Scope;
    scope[prefix] = value;
  }
  return scope ?? inherited;
}

function prefixPart(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? '' : name.slice(0, colon);
}

function localPart(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

export function child(el: XmlElement, name: QName): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

export function childrenNamed(el: XmlElement, name: QName): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}
