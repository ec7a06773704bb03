// Request bodies for the fuzz test: valid WebDAV/CalDAV/CardDAV structures as small
// trees, randomly mutated (elements, attributes, text, namespaces) and serialised,
// sometimes truncated or spliced with junk afterwards. Everything is drawn from
// fast-check arbitraries, so a seed reproduces a body exactly.

import fc from 'fast-check';

export const DAV_NS = 'DAV:';
export const CALDAV_NS = 'urn:ietf:params:xml:ns:caldav';
export const CARDDAV_NS = 'urn:ietf:params:xml:ns:carddav';
const NAMESPACES = [DAV_NS, CALDAV_NS, CARDDAV_NS, 'http://apple.com/ns/ical/', 'http://calendarserver.org/ns/', 'urn:x-fuzz', ''];
const PREFIXES = new Map(NAMESPACES.map((ns, i) => [ns, `n${i}`]));

export interface XNode {
  ns: string;
  name: string;
  attrs: Record<string, string>;
  children: XNode[];
  text: string;
}

export const x = (ns: string, name: string, children: XNode[] = [], attrs: Record<string, string> = {}, text = ''): XNode => ({ ns, name, attrs, children, text });
export const d = (name: string, children: XNode[] = [], attrs?: Record<string, string>, text?: string) => x(DAV_NS, name, children, attrs, text);
export const c = (name: string, children: XNode[] = [], attrs?: Record<string, string>, text?: string) => x(CALDAV_NS, name, children, attrs, text);
export const cr = (name: string, children: XNode[] = [], attrs?: Record<string, string>, text?: string) => x(CARDDAV_NS, name, children, attrs, text);

/** Values a parser of dates, numbers and names may choke on. */
export const weirdText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '', ' ', '0', '-1', '1', '99999999999999999999', '1e308', 'NaN', 'Infinity', '0x10',
    '20240101T000000Z', '20240101', '20240101T000000', '99991231T235959Z', '00000000T000000Z', '20241332T256161Z',
    '2024-01-01T00:00:00Z', '16010101T000000Z', '+275760-09-13', 'PT1H', 'P999999999999999999W',
    'i;octet', 'i;ascii-casemap', 'i;unicode-casemap', 'i;klingon', 'yes', 'no', 'starts-with', 'equals',
    'VEVENT', 'VTODO', 'VCALENDAR', 'VALARM', 'VTIMEZONE', 'X-FOO', 'FN', 'EMAIL', 'UID', 'SUMMARY', 'DTSTART',
    'http://127.0.0.1/', '/dav/calendars/alice/default/', '/dav/calendars/bob/default/', '%zz', '../../..',
    'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n', '\u00e9\u00e8\u{1F600}', 'x'.repeat(5000),
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer().map(String),
);

const randomName = fc.oneof(
  fc.constantFrom('prop', 'href', 'filter', 'comp-filter', 'prop-filter', 'param-filter', 'text-match', 'time-range', 'is-not-defined',
    'calendar-data', 'address-data', 'expand', 'limit-recurrence-set', 'comp', 'allprop', 'propname', 'set', 'remove', 'include',
    'sync-token', 'limit', 'nresults', 'displayname', 'resourcetype', 'collection', 'calendar', 'addressbook', 'getetag', 'x'),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/),
);

/** One change to a tree: which node (index modulo the node count) and what to do to it. */
const mutation = fc.record({
  at: fc.nat(),
  op: fc.oneof(
    fc.record({ kind: fc.constant('insert' as const), ns: fc.constantFrom(...NAMESPACES), name: randomName, text: weirdText }),
    fc.record({ kind: fc.constant('remove' as const) }),
    fc.record({ kind: fc.constant('namespace' as const), ns: fc.constantFrom(...NAMESPACES) }),
    fc.record({ kind: fc.constant('attribute' as const), name: fc.constantFrom('name', 'start', 'end', 'collation', 'negate-condition', 'match-type', 'novalue', 'test', 'content-type', 'version', 'x'), value: weirdText }),
    fc.record({ kind: fc.constant('text' as const), text: weirdText }),
    fc.record({ kind: fc.constant('duplicate' as const), times: fc.integer({ min: 1, max: 50 }) }),
  ),
});

function nodes(root: XNode): XNode[] {
  const all = [root];
  for (let i = 0; i < all.length; i++) all.push(...all[i]!.children);
  return all;
}

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(root: XNode, m: Mutation): void {
  const all = nodes(root);
  const node = all[m.at % all.length]!;
  const op = m.op;
  switch (op.kind) {
    case 'insert': node.children.push(x(op.ns, op.name, [], {}, op.text)); break;
    case 'remove': if (node.children.length) node.children.splice(m.at % node.children.length, 1); break;
    case 'namespace': node.ns = op.ns; break;
    case 'attribute': node.attrs[op.name] = op.value; break;
    case 'text': node.text = op.text; break;
    case 'duplicate': if (node.children.length) node.children.push(...Array.from({ length: op.times }, () => structuredClone(node.children[0]!))); break;
  }
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function serialise(n: XNode, root = false): string {
  const tag = n.ns === '' ? n.name : `${PREFIXES.get(n.ns)}:${n.name}`;
  const decls = root ? NAMESPACES.filter((ns) => ns !== '').map((ns) => ` xmlns:${PREFIXES.get(ns)}="${escapeXml(ns)}"`).join('') : '';
  const attrs = Object.entries(n.attrs).map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join('');
  return `<${tag}${decls}${attrs}>${escapeXml(n.text)}${n.children.map((ch) => serialise(ch)).join('')}</${tag}>`;
}

/** A tree from `structure`, mutated 0–3 times, serialised; one in ten cut short, one in twenty spliced with junk. */
export function mutatedXml(structure: fc.Arbitrary<XNode>): fc.Arbitrary<string> {
  return fc.record({
    tree: structure,
    mutations: fc.array(mutation, { maxLength: 3 }),
    damage: fc.oneof(
      { weight: 17, arbitrary: fc.constant(null) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), junk: fc.string({ unit: 'binary', maxLength: 8 }) }) },
    ),
  }).map(({ tree: shared, mutations, damage }) => {
    const tree = structuredClone(shared); // constants are shared between samples
    for (const m of mutations) mutate(tree, m);
    const text = `<?xml version="1.0" encoding="utf-8"?>${serialise(tree, true)}`;
    if (!damage) return text;
    const at = damage.at % (text.length + 1);
    return damage.kind === 'truncate' ? text.slice(0, at) : text.slice(0, at) + damage.junk + text.slice(at);
  });
}
