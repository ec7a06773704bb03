// Fuzzing the DAV surface: no request may answer 500 or drop the connection without
// a complete answer (design.md: nothing user-triggered is a 500). Valid bodies of every
// kind, randomly mutated, are sent many at a time to one server; afterwards it must
// still answer. Reproducible: the seed is fixed unless FUZZ_SEED is given, and printed.
// `npm test` runs a quick share of the cases (test/fuzz.test.ts), test:interop all of
// them (test/interop/fuzz.test.ts).

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ics } from './ics.js';
import {
  addressbookQueryBody, calendarMultigetBody, calendarQueryBody, mkcalendarBody, mkcolBody, propfindBody, proppatchBody, syncCollectionBody,
} from './fuzz-bodies.js';
import { mutatedContentLines } from './fuzz-text.js';
import { mutatedXml } from './fuzz-xml.js';
import { startTestServer, type TestServer } from './server.js';
import { TEST_ENGINE } from './store.js';

const SEED = Number(process.env.FUZZ_SEED ?? 4791);
/**
 * Parsing is the same on both engines, so the PostgreSQL run takes a fifth of the cases:
 * enough for what only it can refuse (index limits, its error codes).
 */
const SHARE = TEST_ENGINE === 'postgres' ? 0.2 : 1;
/** Requests in flight at once: enough to keep both cores of the test machine busy. */
const CONCURRENCY = 8;
const FIXTURES = path.resolve(process.cwd(), '../shared/fixtures');

const CAL = '/dav/calendars/alice/default/';
const BOOK = '/dav/addressbooks/alice/default/';
const CARD = 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:card-1\r\nFN:Carla Card\r\nEMAIL;TYPE=work:carla@example.com\r\nEND:VCARD\r\n';

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const depth = fc.constantFrom<Record<string, string>>({}, { Depth: '0' }, { Depth: '1' }, { Depth: 'infinity' }, { Depth: 'x' });
const collectionPath = fc.constantFrom(CAL, BOOK, '/dav/calendars/alice/', '/dav/addressbooks/alice/', '/dav/principals/alice/', '/dav/calendars/bob/default/', '/dav/', '/dav/calendars/alice/missing/');
const objectPath = fc.constantFrom(`${CAL}series.ics`, `${CAL}allday.ics`, `${BOOK}card.vcf`, `${CAL}missing.ics`);
const newCollection = fc.tuple(fc.constantFrom('/dav/calendars/alice/', '/dav/addressbooks/alice/', '/dav/calendars/bob/', CAL), fc.nat({ max: 7 })).map(([home, n]) => `${home}fuzz-${n}/`);

function xmlRequest(method: string, paths: fc.Arbitrary<string>, body: fc.Arbitrary<string>): fc.Arbitrary<FuzzRequest> {
  return fc.record({ method: fc.constant(method), path: paths, headers: depth.map((h) => ({ ...h, 'Content-Type': 'application/xml; charset=utf-8' })), body });
}

function xmlRequests(syncToken: string): fc.Arbitrary<FuzzRequest> {
  const anywhere = fc.oneof(collectionPath, objectPath);
  const tokens = fc.constantFrom('', syncToken, `${syncToken}0`, syncToken.replace(/\d+$/, '99999999999999999999'), 'http://example.com/sync/1', 'x');
  return fc.oneof(
    xmlRequest('PROPFIND', anywhere, mutatedXml(propfindBody)),
    xmlRequest('PROPPATCH', anywhere, mutatedXml(proppatchBody)),
    xmlRequest('REPORT', anywhere, mutatedXml(calendarQueryBody)),
    xmlRequest('REPORT', anywhere, mutatedXml(calendarMultigetBody([`${CAL}series.ics`, `${CAL}allday.ics`, `${CAL}missing.ics`, '/dav/calendars/bob/default/x.ics', `${CAL}series%2eics`]))),
    xmlRequest('REPORT', anywhere, mutatedXml(addressbookQueryBody)),
    xmlRequest('REPORT', anywhere, mutatedXml(syncCollectionBody(tokens))),
    xmlRequest('MKCOL', newCollection, mutatedXml(mkcolBody)),
    xmlRequest('MKCALENDAR', newCollection, mutatedXml(mkcalendarBody)),
    fc.record({ method: fc.constant('DELETE'), path: newCollection, headers: fc.constant({}) }),
  );
}

function putRequests(calendars: string[], cards: string[]): fc.Arbitrary<FuzzRequest> {
  const put = (collection: string, ext: string, contentType: string, bases: string[]) =>
    fc.record({
      method: fc.constant('PUT'),
      path: fc.nat({ max: 15 }).map((n) => `${collection}fuzz-${n}.${ext}`),
      headers: fc.constant({ 'Content-Type': contentType }),
      body: mutatedContentLines(bases),
    });
  return fc.oneof(
    { weight: 3, arbitrary: put(CAL, 'ics', 'text/calendar; charset=utf-8', calendars) },
    { weight: 2, arbitrary: put(BOOK, 'vcf', 'text/vcard; charset=utf-8', cards) },
  );
}

/** The real-world files under ../shared/fixtures/{ical,vcard}, or undefined when the folder is absent. */
function fixtureTexts(): { calendars: string[]; cards: string[] } | undefined {
  if (!existsSync(FIXTURES)) return undefined;
  const read = (dir: string, ext: string) => readdirSync(path.join(FIXTURES, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(ext)).sort().map((f) => readFileSync(path.join(FIXTURES, dir, f), 'utf8'));
  return { calendars: read('ical', '.ics'), cards: read('vcard', '.vcf') };
}

/** Why an answer breaks the rule, or undefined when it keeps it. */
function problemWith(status: number, contentType: string, text: string): string | undefined {
  if (status >= 500) return `status ${status}`;
  const body = text.trimEnd();
  if (status === 207 && !body.endsWith('multistatus>')) return 'multistatus cut short';
  if (contentType.includes('xml') && status !== 207 && body !== '' && !body.endsWith('>')) return 'XML body cut short';
  return undefined;
}

/** The fuzz suite with this many mutated XML bodies and PUTs (on SQLite; a fifth on PostgreSQL). */
export function fuzzSuite(cases: { xml: number; put: number }): void {
  const XML_CASES = Math.round(cases.xml * SHARE);
  const PUT_CASES = Math.round(cases.put * SHARE);
  describe(`fuzz (FUZZ_SEED=${SEED})`, () => {
    let s: TestServer;
    let syncToken = '';
    before(async () => {
      console.log(`# fuzz seed ${SEED} (set FUZZ_SEED to change it)`);
      s = await startTestServer();
      const seed: [string, string][] = [
        [`${CAL}series.ics`, ics('series', ['DTSTART:20240101T090000Z', 'DTEND:20240101T100000Z', 'SUMMARY:Series', 'RRULE:FREQ=HOURLY', 'BEGIN:VALARM', 'ACTION:DISPLAY', 'TRIGGER:-PT5M', 'END:VALARM'])],
        [`${CAL}allday.ics`, ics('allday', ['DTSTART;VALUE=DATE:20240410', 'SUMMARY:All day', 'RRULE:FREQ=YEARLY'])],
        [`${BOOK}card.vcf`, CARD],
      ];
      for (const [p, body] of seed) assert.ok((await s.request('PUT', p, { body })).status < 300);
      const r = await s.request('PROPFIND', CAL, { headers: { Depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:prop><D:sync-token/></D:prop></D:propfind>' });
      syncToken = /<D:sync-token>([^<]*)</.exec(r.text)?.[1] ?? '';
    });
    after(() => s.close());

    /** Sends every request, CONCURRENCY at a time; returns what broke the rule. */
    async function send(requests: FuzzRequest[]): Promise<string[]> {
      const problems: string[] = [];
      let next = 0;
      const worker = async () => {
        while (next < requests.length) {
          const r = requests[next++]!;
          let problem: string | undefined;
          try {
            const res = await s.request(r.method, r.path, { headers: r.headers, body: r.body });
            problem = problemWith(res.status, res.headers.get('content-type') ?? '', res.text);
          } catch (e) {
            problem = `no answer: ${(e as Error).message}`;
          }
          if (problem) problems.push(`${problem}: ${r.method} ${r.path} ${JSON.stringify(r.headers)}\n${(r.body ?? '').slice(0, 3000)}`);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const alive = await s.request('PROPFIND', CAL, { headers: { Depth: '0' } });
      assert.equal(alive.status, 207, 'the server still answers');
      return problems;
    }

    it(`PROPFIND, PROPPATCH, REPORT, MKCOL, MKCALENDAR, DELETE: ${XML_CASES} mutated bodies`, async () => {
      const problems = await send(fc.sample(xmlRequests(syncToken), { numRuns: XML_CASES, seed: SEED }));
      assert.deepEqual(problems.slice(0, 5), [], `${problems.length} of ${XML_CASES} answers broke the rule`);
    });

    const fixtures = fixtureTexts();
    it(`PUT: ${PUT_CASES} mutated real iCalendar and vCard files`, {
      skip: fixtures ? false : `${FIXTURES} not found: PUT of mutated real-world files is NOT fuzzed (the corpus is read in place, never copied in)`,
    }, async () => {
      const problems = await send(fc.sample(putRequests(fixtures!.calendars, fixtures!.cards), { numRuns: PUT_CASES, seed: SEED }));
      assert.deepEqual(problems.slice(0, 5), [], `${problems.length} of ${PUT_CASES} answers broke the rule`);
    });
  });
}
