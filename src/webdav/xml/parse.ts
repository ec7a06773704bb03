import sax from 'sax';
import { DavError } from '../errors.js';
import { qname, type QName } from './names.js';

/** A parsed XML element: just what WebDAV request bodies need. */
export interface XmlElement {
  name: QName;
  attrs: Record<string, string>; // local attribute names (WebDAV bodies use unqualified ones)
  children: XmlElement[];
  text: string;
}

export interface XmlLimits {
  maxXmlDepth: number;
  maxXmlElements: number;
}

/**
 * Parses a request body into an element tree with sax in strict namespace mode.
 * DTDs are refused outright (no entity expansion attacks, no external entities);
 * sax in strict mode knows only the five predefined entities.
 */
export function parseXml(body: string, limits: XmlLimits): XmlElement {
  // strictEntities (missing from @types/sax): only the five XML entities, not HTML's.
  const options: sax.SAXOptions & { strictEntities: boolean } = { xmlns: true, position: false, strictEntities: true };
  const parser = sax.parser(true, options);
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let count = 0;
  let failure: string | undefined;

  const fail = (reason: string) => {
    failure ??= reason;
    throw new Error(reason);
  };

  parser.onerror = (e) => fail(e.message.split('\n')[0]!);
  parser.ondoctype = () => fail('DOCTYPE declarations are not allowed');
  parser.onopentag = (tag) => {
    const t = tag as sax.QualifiedTag;
    if (++count > limits.maxXmlElements) fail(`more than ${limits.maxXmlElements} elements`);
    if (stack.length >= limits.maxXmlDepth) fail(`nesting deeper than ${limits.maxXmlDepth}`);
    const attrs: Record<string, string> = {};
    for (const key in t.attributes) {
      const a = t.attributes[key]!;
      if (a.prefix !== 'xmlns' && a.name !== 'xmlns') attrs[a.local] = a.value;
    }
    const parent = stack[stack.length - 1];
    const el: XmlElement = {
      name: qname(t.uri, t.local),
      attrs,
      children: [],
      text: '',
    };
    if (parent) parent.children.push(el);
    else if (root) fail('more than one root element');
    else root = el;
    stack.push(el);
  };
  parser.onclosetag = () => {
    stack.pop();
  };
  const onText = (text: string) => {
    const top = stack[stack.length - 1];
    if (top) top.text += text;
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

export function child(el: XmlElement, name: QName): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

export function childrenNamed(el: XmlElement, name: QName): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}
