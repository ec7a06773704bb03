import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BOOK, cr, multigetBody, ownCard, queryBody, VCARD } from './helpers/carddav.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { multistatus, propText } from './helpers/xml.js';

const CARDS = ['card-v3-alice.vcf', 'card-v4-bob.vcf', 'card-v3-apple-group.vcf', 'card-v4-group.vcf'];

describe('CardDAV reports', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    for (const name of CARDS) {
      const r = await s.request('PUT', `${BOOK}${name}`, { body: ownCard(name), headers: VCARD });
      assert.equal(r.status, 201);
    }
  });
  after(() => s.close());

  /** The names of the cards an addressbook-query with this filter returns. */
  async function query(filter: string, extra = ''): Promise<string[]> {
    const r = await s.request('REPORT', BOOK, { headers: { Depth: '1' }, body: queryBody(`<CR:filter${filter}</CR:filter>`, '', extra) });
    assert.equal(r.status, 207, r.text);
    return [...multistatus(r.text).keys()].filter((h) => h !== BOOK).map((h) => h.slice(BOOK.length)).sort();
  }

  const prop = (name: string, inner = '', test = '') => `<CR:prop-filter name="${name}"${test ? ` test="${test}"` : ''}>${inner}</CR:prop-filter>`;
  const tm = (value: string, attrs = '') => `<CR:text-match${attrs}>${value}</CR:text-match>`;

  it('multiget returns the stored text when no conversion is asked, and 404 for unknown hrefs', async () => {
    const r = await s.request('REPORT', BOOK, { body: multigetBody([`${BOOK}card-v4-bob.vcf`, `${BOOK}nope.vcf`]) });
    const m = multistatus(r.text);
    assert.equal(propText(m.get(`${BOOK}card-v4-bob.vcf`), cr('address-data')), ownCard('card-v4-bob.vcf').toString('utf8'));
    assert.equal(m.get(`${BOOK}nope.vcf`)?.status, 404);
  });

  it('address-data in the asked version: 4.0 gets 4.0, 3.0 gets 3.0, whatever was stored', async () => {
    const hrefs = CARDS.map((n) => `${BOOK}${n}`);
    for (const version of ['3.0', '4.0']) {
      const r = await s.request('REPORT', BOOK, { body: multigetBody(hrefs, `<CR:address-data content-type="text/vcard" version="${version}"/>`) });
      for (const href of hrefs) {
        const data = propText(multistatus(r.text).get(href), cr('address-data'))!;
        assert.match(data, new RegExp(`^BEGIN:VCARD\\r?\\nVERSION:${version.replace('.', '\\.')}\\r?\\n`), `${href} as ${version}`);
      }
    }
    const get = async (name: string, version: string) => {
      const r = await s.request('REPORT', BOOK, { body: multigetBody([`${BOOK}${name}`], `<CR:address-data version="${version}"/>`) });
      return propText(multistatus(r.text).get(`${BOOK}${name}`), cr('address-data'))!;
    };
    const alice4 = await get('card-v3-alice.vcf', '4.0');
    assert.match(alice4, /PHOTO:data:image\/jpeg;base64,\/9j\//);
    assert.match(alice4, /EMAIL;TYPE=HOME;PREF=1:alice@home\.example/);
    assert.match(alice4, /TEL;TYPE=CELL;VALUE=TEXT:\+44 20 7946 0000/);
    assert.match(alice4, /NOTE:Follows rabbits\\, mostly\./);
    const group4 = await get('card-v3-apple-group.vcf', '4.0');
    assert.match(group4, /\r\nKIND:group\r\n/);
    assert.match(group4, /\r\nMEMBER:urn:uuid:alice-1\r\n/);
    const group3 = await get('card-v4-group.vcf', '3.0');
    assert.match(group3, /\r\nX-ADDRESSBOOKSERVER-KIND:group\r\n/);
    assert.match(group3, /\r\nX-ADDRESSBOOKSERVER-MEMBER:mailto:carol@example\.com\r\n/);
    assert.match(group3, /\r\nN:;;;;\r\n/, '3.0 requires N');
    const bob3 = await get('card-v4-bob.vcf', '3.0');
    assert.match(bob3, /EMAIL;TYPE=pref:bob@builder\.example/);
    assert.match(bob3, /TEL;VALUE=URI;TYPE=work:tel:\+1-555-0100|TEL;TYPE=work;VALUE=URI:tel:\+1-555-0100/);
  });

  it('address-data with property selection', async () => {
    const r = await s.request('REPORT', BOOK, {
      body: multigetBody([`${BOOK}card-v3-alice.vcf`], '<CR:address-data><CR:prop name="EMAIL"/><CR:prop name="UID"/><CR:prop name="NOTE" novalue="yes"/></CR:address-data>'),
    });
    const data = propText(multistatus(r.text).get(`${BOOK}card-v3-alice.vcf`), cr('address-data'))!;
    const names = data.split('\r\n').filter((l) => l && !l.startsWith(' ')).map((l) => l.split(/[;:]/)[0]);
    assert.deepEqual(names, ['BEGIN', 'VERSION', 'UID', 'EMAIL', 'EMAIL', 'NOTE', 'END']);
    assert.match(data, /\r\nNOTE:\r\n/);
  });

  it('an unsupported address-data version or type fails supported-address-data with 403 (RFC 6352 §8.7, §10.4)', async () => {
    for (const attrs of ['version="2.1"', 'content-type="application/vcard+json"']) {
      const r = await s.request('REPORT', BOOK, { body: multigetBody([`${BOOK}card-v4-bob.vcf`], `<CR:address-data ${attrs}/>`) });
      assert.equal(r.status, 403, attrs);
      assert.match(r.text, /supported-address-data/);
    }
  });

  it('text-match: contains (default, i;unicode-casemap), equals, starts-with, ends-with, negate-condition', async () => {
    assert.deepEqual(await query(`>${prop('FN', tm('ALICE'))}`), ['card-v3-alice.vcf']);
    assert.deepEqual(await query(`>${prop('FN', tm('bob builder', ' match-type="equals"'))}`), ['card-v4-bob.vcf']);
    assert.deepEqual(await query(`>${prop('FN', tm('bob', ' match-type="equals"'))}`), []);
    assert.deepEqual(await query(`>${prop('EMAIL', tm('alice@', ' match-type="starts-with"'))}`), ['card-v3-alice.vcf']);
    assert.deepEqual(await query(`>${prop('EMAIL', tm('.example', ' match-type="ends-with"'))}`), ['card-v3-alice.vcf', 'card-v4-bob.vcf']);
    assert.deepEqual(await query(`>${prop('FN', tm('Alice', ' negate-condition="yes"'))}`), ['card-v3-apple-group.vcf', 'card-v4-bob.vcf', 'card-v4-group.vcf']);
    assert.deepEqual(await query(`>${prop('FN', tm('ALICE', ' collation="i;octet"'))}`), []);
  });

  it('prop-filter and filter test attributes: anyof (default) and allof', async () => {
    const alice = prop('FN', tm('alice'));
    const bob = prop('FN', tm('bob'));
    assert.deepEqual(await query(`>${alice}${bob}`), ['card-v3-alice.vcf', 'card-v4-bob.vcf']);
    assert.deepEqual(await query(` test="allof">${alice}${bob}`), []);
    assert.deepEqual(await query(` test="allof">${alice}${prop('EMAIL', tm('home'))}`), ['card-v3-alice.vcf']);
    // within one prop-filter: one EMAIL must match "home" and one "wonderland" (allof), or either (anyof)
    assert.deepEqual(await query(`>${prop('EMAIL', tm('home') + tm('builder'))}`), ['card-v3-alice.vcf', 'card-v4-bob.vcf']);
    assert.deepEqual(await query(`>${prop('EMAIL', tm('home') + tm('builder'), 'allof')}`), []);
    assert.deepEqual(await query(`>${prop('EMAIL', tm('home') + tm('wonderland'), 'allof')}`), ['card-v3-alice.vcf']);
  });

  it('param-filter and is-not-defined', async () => {
    const typeWork = '<CR:param-filter name="TYPE"><CR:text-match match-type="equals">work</CR:text-match></CR:param-filter>';
    assert.deepEqual(await query(`>${prop('EMAIL', typeWork)}`), ['card-v3-alice.vcf']);
    assert.deepEqual(await query(`>${prop('TEL', typeWork)}`), ['card-v4-bob.vcf']);
    assert.deepEqual(await query(`>${prop('EMAIL', '<CR:param-filter name="PREF"/>')}`), ['card-v4-bob.vcf']);
    assert.deepEqual(await query(`>${prop('EMAIL', '<CR:is-not-defined/>')}`), ['card-v3-apple-group.vcf', 'card-v4-group.vcf']);
    assert.deepEqual(await query(`>${prop('X-ADDRESSBOOKSERVER-KIND', tm('group', ' match-type="equals"'))}${prop('KIND', tm('group', ' match-type="equals"'))}`), ['card-v3-apple-group.vcf', 'card-v4-group.vcf']);
    assert.deepEqual(await query(`>`), CARDS.slice().sort());
  });

  it('limit truncates with a 507 for the collection', async () => {
    const r = await s.request('REPORT', BOOK, { body: queryBody('<CR:filter/>', '', '<CR:limit><CR:nresults>2</CR:nresults></CR:limit>') });
    const m = multistatus(r.text);
    assert.equal([...m.keys()].filter((h) => h !== BOOK).length, 2);
    assert.equal(m.get(BOOK)?.status, 507);
  });

  it('a bad filter is a 4xx, not a 500', async () => {
    for (const filter of [`>${prop('FN', tm('x', ' collation="i;klingon"'))}`, `>${prop('FN', tm('x', ' match-type="sounds-like"'))}`, ` test="someof">`, `><CR:prop-filter/>`]) {
      const r = await s.request('REPORT', BOOK, { body: queryBody(`<CR:filter${filter}</CR:filter>`) });
      assert.equal(r.status, 403, filter);
    }
  });
});
