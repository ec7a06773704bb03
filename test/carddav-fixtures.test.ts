// The real-world vCards in ../shared/fixtures, read in place: what is accepted, what is
// refused and why, byte-exact round trips, and 3.0 ↔ 4.0 conversion with nothing lost.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ICAL from 'ical.js';
import { RENAMES_3_TO_4 } from '../src/vcard/convert.js';
import { escapeXml } from '../src/webdav/xml/write.js';
import { BOOK, cr, multigetBody, queryBody, VCARD } from './helpers/carddav.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { multistatus, propText } from './helpers/xml.js';

const FIXTURES = resolve(process.cwd(), '../shared/fixtures');
const PRESENT = existsSync(resolve(FIXTURES, 'MANIFEST.tsv'));
const ABSENT = `${FIXTURES} not found: the real-world vCard fixtures are not tested`;

function manifest(prefix: string, ext: string): string[] {
  if (!PRESENT) return [];
  return readFileSync(resolve(FIXTURES, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1)
    .map((l) => l.split('\t')[0]!).filter((p) => p.startsWith(prefix) && p.endsWith(ext));
}

/**
 * Files refused whatever the method, and why. vCard 2.1 is refused: its bare parameters
 * and quoted-printable soft line breaks are not vCard 3.0/4.0, and ical.js cannot read them.
 */
const REFUSED: Record<string, RegExp> = {
  'vcard/android-davx5/ezvcard-John_Doe_ANDROID.vcf': /vCard 2\.1 is not supported/,
  'vcard/other-real/ezvcard-John_Doe_BLACK_BERRY.vcf': /vCard 2\.1 is not supported/,
  'vcard/outlook-exchange/ezvcard-John_Doe_MS_OUTLOOK.vcf': /vCard 2\.1 is not supported/,
  'vcard/outlook-exchange/ezvcard-outlook-2003.vcf': /vCard 2\.1 is not supported/,
  'vcard/outlook-exchange/ezvcard-outlook-2007.vcf': /vCard 2\.1 is not supported/,
  'vcard/evolution/eds-vcard-12.vcf': /vCard 2\.1 is not supported/,
};

/**
 * Exports of several contacts: one resource holds one card, so the whole file is
 * refused and, like a client importing it, each card is stored on its own.
 */
const SEVERAL: Record<string, number> = {
  'vcard/google/ezvcard-gmail-list.vcf': 3,
  'vcard/synthetic-edge/radicale-contact_multiple.vcf': 2,
  'vcard/thunderbird/commcentral-export.vcf': 2,
};

/** The cards of a file, each as its own bytes (what an importing client uploads). */
function cardsOf(bytes: Buffer): Buffer[] {
  const text = bytes.toString('latin1'); // 1:1 with the bytes
  return [...text.matchAll(/BEGIN:VCARD[\s\S]*?END:VCARD(\r?\n|$)/gi)].map((m) => bytes.subarray(m.index, m.index + m[0].length));
}

/** address-data selections of parts of a card, each of which every stored card must survive. */
const SELECTIONS = ['<CR:prop name="FN"/>', '<CR:prop name="PHOTO"/>', '<CR:prop name="PHOTO" novalue="yes"/><CR:prop name="UID"/>', '<CR:prop name="X-NONE"/>'];

const hasUid = (bytes: Buffer) => /^UID[;:]/im.test(bytes.toString('latin1'));

/** Name and value of every property as ical.js reads them; media and renamed properties in one form. */
function properties(text: string): string[] {
  const jcard = ICAL.parse(text) as [string, unknown[][]];
  return jcard[1].map((p) => {
    const name = String(p[0]);
    return JSON.stringify([RENAMES_3_TO_4[name] ?? name, p.slice(3)]);
  });
}

describe('CardDAV with the real-world vCard fixtures', () => {
  let s: TestServer;
  before(async () => {
    if (PRESENT) s = await startTestServer();
  });
  after(() => s?.close());

  it('fixtures are present', (t) => {
    if (!PRESENT) t.skip(ABSENT);
  });

  const files = manifest('vcard/', '.vcf').flatMap((path) => {
    const read = () => readFileSync(resolve(FIXTURES, path));
    if (!SEVERAL[path]) return [{ path, bytes: read }];
    it(`${path}: a file of ${SEVERAL[path]} cards is refused whole; a client stores each card`, async () => {
      const r = await s.request('PUT', `${BOOK}several.vcf`, { body: read(), headers: VCARD });
      assert.equal(r.status, 403, r.text);
      assert.match(r.text, new RegExp(`contains ${SEVERAL[path]} vCards`));
      assert.equal(cardsOf(read()).length, SEVERAL[path]);
    });
    return PRESENT ? cardsOf(read()).map((card, i) => ({ path: `${path}#${i + 1}`, bytes: () => card })) : [];
  });

  for (const { path, bytes } of files) {
    const name = path.replace(/[/#]/g, '_');

    if (REFUSED[path]) {
      it(`${path}: refused by PUT and POST with valid-address-data`, async () => {
        for (const method of ['PUT', 'POST']) {
          const r = await s.request(method, method === 'PUT' ? `${BOOK}${name}` : BOOK, { body: bytes(), headers: VCARD });
          assert.equal(r.status, 403, `${method}: ${r.text}`);
          assert.match(r.text, /valid-address-data/);
          assert.match(r.text, REFUSED[path]!);
        }
      });
      continue;
    }

    if (!hasUid(bytes())) {
      it(`${path}: without UID, refused by PUT saying so, accepted by POST with a UID assigned`, async () => {
        const put = await s.request('PUT', `${BOOK}${name}`, { body: bytes(), headers: VCARD });
        assert.equal(put.status, 403, put.text);
        assert.match(put.text, /valid-address-data/);
        assert.match(put.text, /UID is missing/);
        const post = await s.request('POST', BOOK, { body: bytes(), headers: VCARD });
        assert.equal(post.status, 201, post.text);
        const got = await s.request('GET', post.headers.get('location')!);
        assert.match(got.text, /\nUID:urn:uuid:[0-9a-f-]{36}\r?\nEND:VCARD/);
        assert.equal(got.bytes.length, bytes().length + got.text.match(/UID:urn:uuid:[0-9a-f-]{36}\r?\n/)![0].length);
      });
      continue;
    }

    it(`${path}: PUT/GET byte for byte, 3.0 ↔ 4.0 with nothing lost`, async () => {
      const original = bytes();
      const put = await s.request('PUT', `${BOOK}${name}`, { body: original, headers: VCARD });
      assert.equal(put.status, 201, put.text);
      assert.deepEqual((await s.request('GET', `${BOOK}${name}`)).bytes, original);

      // Parts of the card (RFC 6352 §10.4.2), as multiget and as query: always an answer.
      const uid = /^UID(?:;[^:\r\n]*)?:(.*)$/m.exec(original.toString('utf8'))![1]!.trim();
      const byUid = `<CR:filter><CR:prop-filter name="UID"><CR:text-match match-type="equals">${escapeXml(uid)}</CR:text-match></CR:prop-filter></CR:filter>`;
      for (const selection of SELECTIONS) {
        const addressData = `<CR:address-data>${selection}</CR:address-data>`;
        for (const [kind, r] of [
          ['multiget', await s.request('REPORT', BOOK, { body: multigetBody([`${BOOK}${name}`], addressData) })],
          ['query', await s.request('REPORT', BOOK, { headers: { Depth: '1' }, body: queryBody(byUid, addressData) })],
        ] as const) {
          assert.equal(r.status, 207, `${kind} ${selection}: ${r.text}`);
          assert.match(propText(multistatus(r.text).get(`${BOOK}${name}`), cr('address-data')) ?? '', /^BEGIN:VCARD\r\n/, `${kind} ${selection}`);
        }
      }

      // Convert to the other version and back through address-data. "Nothing lost": every
      // property's name and value, as ical.js reads them, is there again, with X-ADDRESSBOOKSERVER-
      // KIND/-MEMBER named KIND/MEMBER; parameters (ENCODING/TYPE ↔ data: URI, TYPE=pref ↔
      // PREF=1) are what the conversion rewrites, and they come back too.
      const text = original.toString('utf8');
      const version = /^VERSION:4\.0/m.test(text) ? '4.0' : '3.0';
      const other = version === '4.0' ? '3.0' : '4.0';
      const asked = async (v: string) => {
        const r = await s.request('REPORT', BOOK, { body: multigetBody([`${BOOK}${name}`], `<CR:address-data content-type="text/vcard" version="${v}"/>`) });
        return propText(multistatus(r.text).get(`${BOOK}${name}`), cr('address-data'))!;
      };
      const converted = await asked(other);
      assert.match(converted, new RegExp(`^BEGIN:VCARD\\r\\nVERSION:${other.replace('.', '\\.')}\\r\\n`));
      // store the converted card, as a client of the other version would, and ask for the original version
      const copy = `${BOOK}converted-${name}`;
      assert.equal((await s.request('DELETE', `${BOOK}${name}`)).status, 204);
      assert.equal((await s.request('PUT', copy, { body: converted, headers: VCARD })).status, 201);
      const r = await s.request('REPORT', BOOK, { body: multigetBody([copy], `<CR:address-data version="${version}"/>`) });
      const roundTrip = propText(multistatus(r.text).get(copy), cr('address-data'))!;
      const after = new Set(properties(roundTrip));
      const lost = properties(text).filter((p) => !after.has(p));
      assert.deepEqual(lost, [], `lost in ${version} → ${other} → ${version}`);
    });
  }

  for (const path of manifest('invalid/', '.vcf')) {
    it(`${path}: refused with valid-address-data, never a 500`, async () => {
      const r = await s.request('PUT', `${BOOK}invalid.vcf`, { body: readFileSync(resolve(FIXTURES, path)), headers: VCARD });
      assert.equal(r.status, 403, r.text);
      assert.match(r.text, /valid-address-data/);
    });
  }
});
