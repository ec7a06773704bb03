// The real-world corpus in ../shared/fixtures (read in place) through the real
// server over HTTP, file by file:
//
// ical/     Every file that has a UID is stored: as it is when it holds one UID and
//           no METHOD; otherwise split the way a client would (helpers/split-ics.ts:
//           one resource per UID, VCALENDAR properties minus METHOD, the VTIMEZONEs
//           it uses); a bare component is wrapped in a VCALENDAR. Each part: 201,
//           GET returns the bytes PUT with the PUT's ETag, and a calendar-query with
//           a time-range around its first instance finds it. A file without any UID
//           is an export: the raw PUT is refused (403 valid-calendar-data naming the
//           UID); then it is imported the way Thunderbird does (a UID generated per
//           component) so that its stated occurrences can be checked too.
// MANIFEST  Every "Source test:" row: calendar-query + calendar-data expand over the
//           stated range returns exactly the stated instances.
// invalid/  Each .ics is rejected (4xx + valid-calendar-data + what is wrong) or,
//           where real clients produce such data and it reads safely, accepted: see
//           INVALID below.
// Afterwards every calendar still answers a full-range calendar-query, an expand,
// a Depth 1 PROPFIND and a sync-collection with 207; nothing anywhere is a 5xx; a
// refused PUT leaves nothing behind (GET 404, sync-token unchanged). LF-only bodies
// are accepted like CRLF ones.
//
// Each file gets its own calendar (several files share UIDs: rie-issue_27_t1/t2,
// rie-issue_20/rie-rdate_falls_on_rrule_until, …, and occurrence counts are per
// file); one more calendar, ALL, holds every accepted part whose UID is not there
// yet, so many objects are also queried together.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import ICAL from 'ical.js';
import { parseCalendarObject } from '../../src/ical/calendar-object.js';
import { decodeText } from '../../src/text/decode.js';
import { firstIndexedStart } from '../helpers/ics.js';
import { startTestServer, type DavResponse, type TestServer } from '../helpers/server.js';
import { day, OCCURRENCES, utc, type Found } from '../helpers/occurrences.js';
import { planUpload } from '../helpers/split-ics.js';
import { c, d, multistatus, parse, propText, propfindBody } from '../helpers/xml.js';

const FIXTURES = path.resolve(process.cwd(), '../shared/fixtures');
const HOME = '/dav/calendars/alice/';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NSDECL = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"';

// ---------------------------------------------------------------------------
// What each file is expected to do, where that is not "every part 201".

/** Parts with these components are refused, and why. */
const UNSUPPORTED_COMPONENTS: Record<string, string> = {
  // RFC 7953 VAVAILABILITY is not a calendar object resource component Davenport
  // stores (supported-calendar-component-set offers VEVENT, VTODO, VJOURNAL): the
  // VAVAILABILITY part of icalendar-issue_1050_all_components.ics is refused with
  // supported-calendar-component; its VEVENT, VTODO and VJOURNAL parts are stored.
  VAVAILABILITY: 'supported-calendar-component',
};


type InvalidExpectation = { outcome: 'reject'; reason: RegExp; why: string } | { outcome: 'accept'; why: string };

const INVALID: Record<string, InvalidExpectation> = {
  'icalendar-invalid_duration.ics': { outcome: 'reject', reason: /DURATION/, why: 'P999999999999999999W overflows every date range' },
  'icalendar-issue_104_broken_calendar.ics': { outcome: 'reject', reason: /invalid line|"X"/, why: "stray content line 'X' without a colon" },
  'icalendar-parsing_error-google.ics': { outcome: 'reject', reason: /EXDATE/, why: "empty 'EXDATE;VALUE=DATE:' (and no UIDs)" },
  'khal-invalid_tzoffset.ics': { outcome: 'reject', reason: /TZOFFSETFROM.*\+5328/, why: '+5328 is no UTC offset' },
  'radicale-broken-vevent.ics': { outcome: 'reject', reason: /did not end|END/, why: 'END:VEVENT missing' },
  'rie-bad_rrule_missing_until_event.ics': { outcome: 'reject', reason: /UNTL/, why: "unknown rule part 'UNTL='" },
  'khal-event_dt_rrule_invalid_until.ics': {
    outcome: 'accept',
    why: 'DATE-TIME UNTIL with a DATE DTSTART (khal writes it): UNTIL read as bounding the days it covers',
  },
  'khal-event_invalid_exdate.ics': { outcome: 'accept', why: 'EXDATEs that match no instance simply exclude nothing' },
  'rie-end_before_start_event.ics': { outcome: 'accept', why: 'SabreDAV stored it; DTEND before DTSTART is read as zero length' },
  'rie-issue_186_invalid_trigger.ics': { outcome: 'accept', why: 'Thunderbird-edited VALARM TRIGGERs; unreadable triggers are ignored, the event is fine' },
};


// ---------------------------------------------------------------------------
// Helpers

const utf8 = new TextDecoder('utf-8', { fatal: true });
function isUtf8(bytes: Buffer): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

const stamp = (epoch: number) => new Date(epoch).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

function listIcs(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.posix.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith('.ics')) out.push(r);
    }
  };
  walk('');
  return out.sort();
}

function slug(file: string): string {
  return file.replace(/\.ics$/, '').replace(/[^A-Za-z0-9-]+/g, '-').toLowerCase();
}

function mkcalendarBody(components: string[]): string {
  return `<C:mkcalendar ${NSDECL}><D:set><D:prop><C:supported-calendar-component-set>${components.map((n) => `<C:comp name="${n}"/>`).join('')}</C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>`;
}

function queryBody(comp: string, range: [number, number], calendarData = '<D:getetag/>'): string {
  return `<C:calendar-query ${NSDECL}><D:prop>${calendarData}</D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="${comp}"><C:time-range start="${stamp(range[0])}" end="${stamp(range[1])}"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;
}

const expandData = (range: [number, number]) => `<C:calendar-data><C:expand start="${stamp(range[0])}" end="${stamp(range[1])}"/></C:calendar-data>`;

/** Instances in expanded calendar-data: the top-level VEVENT/VTODO/VJOURNAL (times in UTC). */
function instancesIn(data: string): Found[] {
  const epoch = (t: ICAL.Time) => (t.isDate ? Date.UTC(t.year, t.month - 1, t.day) : Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second));
  const root = new ICAL.Component(ICAL.parse(data) as unknown[]);
  return root.getAllSubcomponents().filter((x) => ['vevent', 'vtodo', 'vjournal'].includes(x.name)).map((x) => {
    const s = x.getFirstPropertyValue('dtstart') ?? x.getFirstPropertyValue('due');
    const start = s instanceof ICAL.Time ? epoch(s) : NaN;
    const e = x.getFirstPropertyValue('dtend');
    const dur = x.getFirstPropertyValue('duration');
    const end = e instanceof ICAL.Time ? epoch(e) : dur instanceof ICAL.Duration ? start + dur.toSeconds() * 1000 : null;
    return { start, end, summary: String(x.getFirstPropertyValue('summary') ?? ''), status: String(x.getFirstPropertyValue('status') ?? '') };
  });
}

function preconditionOf(r: DavResponse): string | undefined {
  try {
    const doc = parse(r.text);
    return doc.name === d('error') ? doc.children[0]?.name : undefined;
  } catch {
    return undefined;
  }
}

interface Outcome {
  file: string;
  result: string;
}

// ---------------------------------------------------------------------------

test('the real-world fixture corpus over CalDAV', async (t) => {
  if (!existsSync(FIXTURES)) {
    t.skip(`../shared/fixtures not found: ${FIXTURES} (the corpus is read in place, never copied in)`);
    return;
  }
  const s: TestServer = await startTestServer();
  t.after(() => s.close());

  const serverErrors: string[] = [];
  const req = async (method: string, url: string, options: { body?: string | Buffer; headers?: Record<string, string> } = {}) => {
    const r = await s.request(method, url, options);
    if (r.status >= 500) serverErrors.push(`${method} ${url} → ${r.status}: ${r.text.slice(0, 300)}`);
    assert.ok(r.status < 500, `${method} ${url} → ${r.status}: ${r.text.slice(0, 500)}`);
    return r;
  };
  const calendars: string[] = [];
  const mkcalendar = async (name: string, components = ['VEVENT', 'VTODO', 'VJOURNAL']) => {
    const url = `${HOME}${name}/`;
    const r = await req('MKCALENDAR', url, { body: mkcalendarBody(components) });
    assert.equal(r.status, 201, `MKCALENDAR ${url}: ${r.text}`);
    calendars.push(url);
    return url;
  };
  const syncToken = async (cal: string) =>
    propText(multistatus((await req('PROPFIND', cal, { headers: { Depth: '0' }, body: propfindBody('<D:sync-token/>') })).text).get(cal), d('sync-token'));
  const query = async (cal: string, body: string) => {
    const r = await req('REPORT', cal, { headers: { Depth: '1' }, body });
    assert.equal(r.status, 207, `calendar-query on ${cal}: ${r.text.slice(0, 500)}`);
    return multistatus(r.text);
  };

  /** PUT that must be refused: 4xx, the precondition, the reason; nothing left behind. */
  const putRefused = async (cal: string, name: string, body: Buffer, precondition: string, reason: RegExp) => {
    const before = await syncToken(cal);
    const r = await req('PUT', `${cal}${name}`, { body, headers: { 'Content-Type': 'text/calendar; charset=utf-8', 'If-None-Match': '*' } });
    assert.ok(r.status >= 400 && r.status < 500, `expected 4xx, got ${r.status}`);
    assert.equal(preconditionOf(r), c(precondition), r.text);
    assert.match(r.text, reason);
    assert.equal((await req('GET', `${cal}${name}`)).status, 404, 'a refused PUT stores nothing');
    assert.equal(await syncToken(cal), before, 'a refused PUT does not change the sync-token');
    return r;
  };

  const ALL_CAL = await mkcalendar('all', ['VEVENT', 'VTODO', 'VJOURNAL', 'VFREEBUSY']);
  const inAll = new Set<string>();

  /** PUT that must be stored as sent, then found around its first instance. Returns a note. */
  const putStored = async (cal: string, name: string, body: Buffer, text: string): Promise<string> => {
    const href = `${cal}${name}`;
    const r = await req('PUT', href, { body, headers: { 'Content-Type': 'text/calendar; charset=utf-8', 'If-None-Match': '*' } });
    assert.equal(r.status, 201, `PUT ${href} → ${r.status}: ${r.text}`);
    const etag = r.headers.get('etag');
    assert.match(etag ?? '', /^"[^"]+"$/, 'PUT answers with a strong ETag');
    const got = await req('GET', href);
    assert.equal(got.status, 200);
    assert.ok(got.bytes.equals(body), `GET ${href} returns the bytes PUT`);
    assert.equal(got.headers.get('etag'), etag);

    // First instance: the earliest instance start as Davenport's own expansion
    // (src/ical) computes it for the index — floating times widened by 14 h. The
    // query window is ±36 h around it; the server's answer is decided by real
    // expansion, so a wrong index or a wrong expansion both fail here.
    const { vcalendar, info } = parseCalendarObject(text, null);
    if (!inAll.has(info.uid)) {
      inAll.add(info.uid);
      const a = await req('PUT', `${ALL_CAL}${inAll.size}.ics`, { body, headers: { 'Content-Type': 'text/calendar; charset=utf-8' } });
      assert.equal(a.status, 201, `PUT into all/: ${a.text}`);
    }
    const first = firstIndexedStart(vcalendar, info.componentType);
    if (first === null) return `${info.componentType}, no start`;
    const range: [number, number] = [first - 36 * HOUR, first + 36 * HOUR];
    const found = await query(cal, queryBody(info.componentType, range));
    assert.ok(found.has(href), `time-range ${stamp(range[0])}–${stamp(range[1])} finds ${href} (first instance ${new Date(first).toISOString()})`);
    return `${info.componentType} found near ${new Date(first).toISOString().slice(0, 10)}`;
  };

  const outcomes: Outcome[] = [];
  const calendarOf = new Map<string, string>();
  const icalDir = path.join(FIXTURES, 'ical');

  for (const file of listIcs(icalDir)) {
    await t.test(`ical/${file}`, async () => {
      const bytes = readFileSync(path.join(icalDir, file));
      const latin1 = !isUtf8(bytes);
      const text = decodeText(bytes);
      const encode = (s: string) => Buffer.from(s, latin1 ? 'latin1' : 'utf8');
      const parts = planUpload(text);
      const cal = await mkcalendar(slug(file));
      calendarOf.set(file, cal);
      const notes: string[] = [];

      if (parts.every((p) => p.uid === null)) {
        // An export, not a CalDAV object: refused as it is…
        const r = await putRefused(cal, 'export.ics', bytes, 'valid-calendar-data', /UID/);
        notes.push(`no UID → ${r.status} valid-calendar-data`);
        // …and stored once a client gives each component a UID on import.
        const imported = planUpload(text, { assignUids: (i) => `${slug(file)}-import-${i}@example.com` });
        if (imported.every((p) => p.uid === null)) {
          outcomes.push({ file, result: `rejected: no UID (${notes.join('; ')})` });
          return;
        }
        for (const [i, p] of imported.entries()) notes.push(await putStored(cal, `import-${i}.ics`, encode(p.text), p.text));
        outcomes.push({ file, result: `rejected as sent (no UID); imported with generated UIDs: ${imported.length} part(s) stored` });
        return;
      }

      let stored = 0;
      const refused: string[] = [];
      for (const [i, p] of parts.entries()) {
        const name = `part-${i}.ics`;
        const body = p.original ? bytes : encode(p.text);
        const unsupported = p.components.find((n) => UNSUPPORTED_COMPONENTS[n]);
        if (p.components.includes('VFREEBUSY')) {
          // VFREEBUSY lives in a calendar that lists it (RFC 4791 §5.2.3); the per-file calendar does not, and refuses it.
          const fb = await mkcalendar(`${slug(file)}-freebusy`, ['VEVENT', 'VTODO', 'VJOURNAL', 'VFREEBUSY']);
          notes.push(await putStored(fb, name, body, p.text));
          stored++;
          const r = await putRefused(cal, name, body, 'supported-calendar-component', /VFREEBUSY/);
          refused.push(`VFREEBUSY → ${r.status} supported-calendar-component outside a VFREEBUSY calendar`);
        } else if (unsupported) {
          const r = await putRefused(cal, name, body, UNSUPPORTED_COMPONENTS[unsupported]!, new RegExp(unsupported));
          refused.push(`${unsupported} → ${r.status} ${UNSUPPORTED_COMPONENTS[unsupported]}`);
        } else if (p.uid === null) {
          const r = await putRefused(cal, name, body, 'valid-calendar-data', /UID/);
          refused.push(`part without UID → ${r.status}`);
        } else {
          notes.push(await putStored(cal, name, body, p.text));
          stored++;
        }
      }
      const how = parts.length === 1 && parts[0]!.original ? 'stored as sent' : `split into ${parts.length}`;
      outcomes.push({ file, result: `${how}: ${stored} stored${refused.length ? `; refused: ${refused.join(', ')}` : ''}${latin1 ? ' (Latin-1)' : ''}` });
    });
  }

  await t.test('MANIFEST "Source test:" rows are all covered here', () => {
    const rows = readFileSync(path.join(FIXTURES, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
    const stated = rows.filter((r) => r[0]!.startsWith('ical/') && /Source test:/.test(r[7] ?? '')).map((r) => r[0]!.slice('ical/'.length));
    assert.deepEqual([...new Set(OCCURRENCES.map((o) => o.file))].sort(), stated.sort());
  });

  for (const o of OCCURRENCES) {
    const comp = o.comp ?? 'VEVENT';
    const label = `${o.file} ${comp} ${stamp(o.range[0])}–${stamp(o.range[1])} → ${o.count}`;
    await t.test(`occurrences over HTTP: ${label}`, async () => {
      const cal = calendarOf.get(o.file);
      assert.ok(cal, `${o.file} was uploaded`);
      const ms = await query(cal, queryBody(comp, o.range, expandData(o.range)));
      const found: Found[] = [];
      for (const r of ms.values()) {
        const data = propText(r, c('calendar-data'));
        assert.ok(data, `calendar-data for ${r.href}`);
        found.push(...instancesIn(data));
      }
      found.sort((a, b) => a.start - b.start);
      assert.equal(found.length, o.count, found.map((f) => new Date(f.start).toISOString()).join(', '));
      o.check?.(found);
    });
  }

  const invalidDir = path.join(FIXTURES, 'invalid');
  const INVALID_CAL = await mkcalendar('invalid');
  await t.test('every invalid/ .ics file has a decision here', () => {
    assert.deepEqual(listIcs(invalidDir), Object.keys(INVALID).sort());
  });
  for (const file of listIcs(invalidDir)) {
    const expect = INVALID[file];
    if (!expect) continue;
    await t.test(`invalid/${file}: ${expect.outcome} (${expect.why})`, async () => {
      const bytes = readFileSync(path.join(invalidDir, file));
      const name = `${slug(file)}.ics`;
      if (expect.outcome === 'reject') {
        const r = await putRefused(INVALID_CAL, name, bytes, 'valid-calendar-data', expect.reason);
        outcomes.push({ file: `invalid/${file}`, result: `rejected ${r.status} valid-calendar-data: ${/<message[^>]*>([^<]*)</.exec(r.text)?.[1] ?? ''}` });
      } else {
        const note = await putStored(INVALID_CAL, name, bytes, decodeText(bytes));
        outcomes.push({ file: `invalid/${file}`, result: `accepted: ${note}` });
      }
    });
  }

  await t.test('RFC 7529 rules Davenport cannot expand over-include: later instances are found, never missed', async () => {
    const cal = calendarOf.get('synthetic-edge/icalendar-rfc_7529_rscale.ics')!;
    // Chinese New Year 2025 is 29 January; RSCALE=GREGORIAN;SKIP=FORWARD moves
    // 29 February 2012 to 1 March in years without one.
    for (const [uid, date] of [['4.3.1', '2025-01-29'], ['4.3.4', '2025-03-01']] as const) {
      const ms = await query(cal, queryBody('VEVENT', day(date), '<D:getetag/><C:calendar-data/>'));
      const hit = [...ms.values()].find((r) => propText(r, c('calendar-data'))?.includes(`UID:${uid}`));
      assert.ok(hit, `${uid} is found on ${date}`);
    }
    // Without RSCALE/SKIP, a rule ical.js refuses is still refused, leniency or not.
    const bad = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:bymonth-13\r\nDTSTAMP:20240101T000000Z\r\nDTSTART;VALUE=DATE:20130906\r\nRRULE:FREQ=MONTHLY;BYMONTH=13\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
    await putRefused(cal, 'bymonth-13.ics', Buffer.from(bad), 'valid-calendar-data', /BYMONTH/);
  });

  await t.test('LF-only bodies are accepted like CRLF ones', async () => {
    for (const file of ['thunderbird/rustical-ical_thunderbird.ics', 'thunderbird/rie-alarm_at_start_of_event.ics']) {
      const original = readFileSync(path.join(icalDir, file), 'utf8');
      const lf = original.replace(/\r\n/g, '\n');
      const crlf = lf.replace(/\n/g, '\r\n');
      assert.notEqual(lf, crlf);
      const { vcalendar } = parseCalendarObject(crlf, null);
      const first = firstIndexedStart(vcalendar, 'VEVENT')!;
      const range: [number, number] = [first - DAY, first + DAY];
      const expanded: string[] = [];
      for (const [kind, body] of [['lf', lf], ['crlf', crlf]] as const) {
        const cal = await mkcalendar(`eol-${kind}-${slug(file)}`);
        await putStored(cal, 'event.ics', Buffer.from(body, 'utf8'), body);
        const ms = await query(cal, queryBody('VEVENT', range, expandData(range)));
        assert.equal(ms.size, 1);
        expanded.push(propText([...ms.values()][0], c('calendar-data'))!);
      }
      assert.equal(expanded[0], expanded[1], 'the same instances whatever the line endings');
    }
  });

  await t.test('afterwards every calendar still answers queries, PROPFIND and sync-collection', async () => {
    const full: [number, number] = [utc('1900-01-01'), utc('2200-01-01')];
    const year: [number, number] = [utc('2024-01-01'), utc('2025-01-01')];
    for (const cal of calendars) {
      for (const comp of ['VEVENT', 'VTODO', 'VJOURNAL']) {
        await query(cal, queryBody(comp, full, '<D:getetag/><C:calendar-data/>'));
        await query(cal, queryBody(comp, year, expandData(year)));
      }
      const all = await req('REPORT', cal, {
        headers: { Depth: '1' },
        body: `<C:calendar-query ${NSDECL}><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>`,
      });
      assert.equal(all.status, 207);
      const members = multistatus(all.text).size;
      const pf = await req('PROPFIND', cal, { headers: { Depth: '1' }, body: propfindBody('<D:getetag/><D:getcontenttype/><D:resourcetype/>') });
      assert.equal(pf.status, 207);
      assert.equal(multistatus(pf.text).size, members + 1, `PROPFIND ${cal} lists every member`);
      const sync = await req('REPORT', cal, { body: `<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>` });
      assert.equal(sync.status, 207);
      assert.equal(multistatus(sync.text).size, members, `sync-collection ${cal} lists every member`);
    }
  });

  await t.test('no request was answered with a 5xx', () => {
    assert.deepEqual(serverErrors, []);
  });

  t.diagnostic('per-file outcomes:');
  for (const o of outcomes) t.diagnostic(`${o.file}: ${o.result}`);
});
