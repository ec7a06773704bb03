import { NS, PREFIXES, splitQName, type QName } from './names.js';
import type { XmlElement } from './parse.js';

// The one XML writer. Values are always escaped here; callers pass raw strings.
// Output is built as strings: responses with thousands of entries stay cheap.

const NEEDS_ESCAPE = /[&<>"\r\uE000\uE001]/;

/**
 * Escapes text and attribute values. CR is written as &#13; so stored object data
 * comes back with the exact line endings it was stored with; U+E000/U+E001
 * are written as references so they can never be taken for raw-data markers
 * (raw.ts). Chained native replaces: several times faster than one regex with a
 * callback on large data.
 */
export function escapeXml(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll('\r', '&#13;')
    .replaceAll('\uE000', '&#57344;')
    .replaceAll('\uE001', '&#57345;');
}

/** Serialised XML, as opposed to a raw string that still needs escaping. */
export type Xml = string;

interface Tag {
  /** "D:href", or "x xmlns=\"…\"" for a namespace without a prefix. */
  open: string;
  /** "<D:href>", "</D:href>" and "<D:href/>": an element is then two concatenations. */
  start: string;
  end: string;
  empty: string;
}

// A multistatus writes the same few element names thousands of times: their tags
// are worked out once.
const tags = new Map<QName, Tag>();

function tagOf(name: QName): Tag {
  let tag = tags.get(name);
  if (!tag) {
    const { ns, local } = splitQName(name);
    const prefix = PREFIXES.get(ns);
    const prefixed = prefix ? `${prefix}:${local}` : local;
    const open = prefix ? prefixed : `${local} xmlns="${escapeXml(ns)}"`;
    tag = { open, start: `<${open}>`, end: `</${prefixed}>`, empty: `<${open}/>` };
    // Names come from requests too (unknown properties): keep the cache bounded.
    if (tags.size >= 1000) tags.clear();
    tags.set(name, tag);
  }
  return tag;
}

/** An element with already-serialised content. Known namespaces use the root's prefixes. */
export function el(name: QName, content: Xml = '', attrs?: Record<string, string>): Xml {
  const tag = tagOf(name);
  if (attrs) {
    let open = tag.open;
    for (const [k, v] of Object.entries(attrs)) open += ` ${k}="${escapeXml(v)}"`;
    return content === '' ? `<${open}/>` : `<${open}>${content}${tag.end}`;
  }
  return content === '' ? tag.empty : tag.start + content + tag.end;
}

/** An element holding text. */
export function textEl(name: QName, text: string): Xml {
  return el(name, escapeXml(text));
}

/** The start and end of a document whose root declares every known prefix once. */
export function xmlDocumentFrame(root: QName): { open: string; close: string } {
  const { ns, local } = splitQName(root);
  const decls = [...PREFIXES].map(([uri, p]) => ` xmlns:${p}="${uri}"`).join('');
  const prefix = PREFIXES.get(ns);
  if (!prefix) throw new Error(`root element in unknown namespace ${ns}`);
  return { open: `<?xml version="1.0" encoding="utf-8"?>\n<${prefix}:${local}${decls}>`, close: `</${prefix}:${local}>\n` };
}

/** A complete document whose root declares every known prefix once. */
export function xmlDocument(root: QName, content: Xml): string {
  const { open, close } = xmlDocumentFrame(root);
  return open + content + close;
}

/**
 * Re-serialises a parsed element so it stands on its own (every element declares its
 * namespace as the default), which is how dead properties are stored and returned.
 */
export function serializeElement(element: XmlElement, parentNs?: string): Xml {
  const { ns, local } = splitQName(element.name);
  let open = local;
  if (ns !== parentNs) open += ` xmlns="${escapeXml(ns)}"`;
  let declared = 0;
  for (const [k, v] of Object.entries(element.qualifiedAttrs)) {
    const value = `="${escapeXml(v)}"`;
    if (!k.startsWith('{')) {
      open += ` ${k}${value}`;
      continue;
    }
    const attr = splitQName(k);
    if (attr.ns === NS.XML) {
      open += ` xml:${attr.local}${value}`;
    } else {
      // Any prefix will do; this element declares its own, so nothing else can clash.
      const prefix = `a${declared++}`;
      open += ` xmlns:${prefix}="${escapeXml(attr.ns)}" ${prefix}:${attr.local}${value}`;
    }
  }
  const inner = element.children.map((c) => serializeElement(c, ns)).join('') + escapeXml(element.children.length ? '' : element.text);
  return inner === '' ? `<${open}/>` : `<${open}>${inner}</${local}>`;
}
