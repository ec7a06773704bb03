// The request XML parser (src/webdav/xml/parse.ts): namespaces resolved as Namespaces
// in XML 1.0 says, and hostile bodies refused at a cost linear in their size.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DavError } from '../src/webdav/errors.js';
import { MAX_ATTRIBUTES_PER_ELEMENT, parseXml } from '../src/webdav/xml/parse.js';

const LIMITS = { maxXmlDepth: 64, maxXmlElements: 200_000, maxXmlAttributes: 100_000 };

const refused = (body: string, reason: RegExp, limits = LIMITS) =>
  assert.throws(() => parseXml(body, limits), (e: unknown) => e instanceof DavError && e.status === 400 && reason.test(e.message));

test('prefixes, default namespaces and their scopes resolve to namespace URIs', () => {
  const root = parseXml(
    `<D:propfind xmlns:D="DAV:" xmlns="urn:outer"><D:prop><a/><b xmlns="urn:inner"><c/></b><d xmlns=""/>` +
      `<D:x xmlns:D="urn:redeclared"/><e D:attr="1" plain="2" xml:lang="de"/></D:prop></D:propfind>`,
    LIMITS,
  );
  assert.equal(root.name, '{DAV:}propfind');
  const [a, b, d, x, e] = root.children[0]!.children;
  assert.deepEqual([a!.name, b!.name, b!.children[0]!.name, d!.name, x!.name], ['{urn:outer}a', '{urn:inner}b', '{urn:inner}c', '{}d', '{urn:redeclared}x']);
  assert.deepEqual(e!.attrs, { attr: '1', plain: '2', lang: 'de' });
});

test('names that Namespaces in XML forbids are malformed', () => {
  refused('<D:propfind xmlns:d="DAV:"/>', /unbound namespace prefix D/);
  refused('<a xmlns:p=""/>', /cannot be undeclared/);
  refused('<a xmlns:xml="urn:other"/>', /cannot be bound/);
  refused('<a xmlns:p="http://www.w3.org/XML/1998/namespace"/>', /cannot be bound/);
  refused('<toString:a/>', /unbound namespace prefix toString/);
});

test('attributes are limited per element and per body, and refusing them costs time linear in the body', () => {
  const attrs = (n: number) => Array.from({ length: n }, (_, i) => ` a${i}="v"`).join('');
  assert.equal(Object.keys(parseXml(`<a${attrs(MAX_ATTRIBUTES_PER_ELEMENT)}/>`, LIMITS).attrs).length, MAX_ATTRIBUTES_PER_ELEMENT);
  refused(`<a${attrs(MAX_ATTRIBUTES_PER_ELEMENT + 1)}/>`, /attributes on an element/);
  refused(`<r>${'<a x="1" y="2"/>'.repeat(60)}</r>`, /more than 100 attributes/, { ...LIMITS, maxXmlAttributes: 100 });

  // What held the event loop for 52 s with sax's xmlns mode: one element, 240,000 attributes.
  const hostile = `<D:propfind xmlns:D="DAV:"><D:prop${attrs(240_000)}/></D:propfind>`;
  const started = performance.now();
  refused(hostile, /attributes on an element/);
  const ms = performance.now() - started;
  assert.ok(ms < 2000, `refused a ${(hostile.length / 1e6).toFixed(1)} MB body in ${ms.toFixed(0)} ms`);
});
