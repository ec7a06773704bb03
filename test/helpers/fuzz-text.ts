// iCalendar and vCard bodies for the fuzz test: real files, changed line by line
// (RFC 5545 §3.1 / RFC 6350 §3.3 content lines: NAME;PARAM=VALUE:VALUE) — random
// lines, parameters and values, lines dropped or repeated, the text cut short.

import fc from 'fast-check';
import { weirdText } from './fuzz-xml.js';

const NAMES = ['DTSTART', 'DTEND', 'DUE', 'DURATION', 'RRULE', 'RDATE', 'EXDATE', 'RECURRENCE-ID', 'UID', 'SUMMARY', 'ATTENDEE',
  'TRIGGER', 'BEGIN', 'END', 'TZID', 'TZOFFSETFROM', 'FREEBUSY', 'X-FOO', 'FN', 'N', 'EMAIL', 'TEL', 'PHOTO', 'VERSION', 'BDAY', 'item1.X-ABLABEL'];
const VALUES = ['VEVENT', 'VTODO', 'VALARM', 'VTIMEZONE', 'VCALENDAR', 'VCARD', 'STANDARD', 'FREQ=SECONDLY', 'FREQ=MINUTELY;INTERVAL=0',
  'FREQ=YEARLY;COUNT=999999999', 'FREQ=MONTHLY;BYDAY=-53MO;BYSETPOS=400', 'FREQ=DAILY;UNTIL=20240101', 'FREQ=WEEKLY;BYMONTH=13',
  '-PT99999999H', 'P1W2D', '20240101T000000Z/PT1H', '20240101T000000Z/20230101T000000Z', '+2500', '-0000', 'mailto:', 'data:,x'];
const PARAMS = ['TZID', 'VALUE', 'RANGE', 'RELATED', 'ENCODING', 'TYPE', 'PARTSTAT', 'CN', 'X-P'];
const PARAM_VALUES = ['DATE', 'DATE-TIME', 'PERIOD', 'THISANDFUTURE', 'END', 'b', 'BASE64', 'Europe/Berlin', '"quoted:value"', 'a,b', ''];

const value = fc.oneof(fc.constantFrom(...VALUES), weirdText.map((t) => t.replace(/[\r\n]/g, ' ')));
const param = fc.tuple(fc.constantFrom(...PARAMS), fc.oneof(fc.constantFrom(...PARAM_VALUES), value)).map(([n, v]) => `;${n}=${v}`);
const contentLine = fc.tuple(fc.constantFrom(...NAMES), fc.array(param, { maxLength: 2 }), value).map(([n, ps, v]) => `${n}${ps.join('')}:${v}`);

const edit = fc.record({
  at: fc.nat(),
  op: fc.oneof(
    contentLine.map((line) => ({ kind: 'insert' as const, line })),
    fc.constant({ kind: 'delete' as const }),
    fc.integer({ min: 1, max: 200 }).map((times) => ({ kind: 'repeat' as const, times })),
    param.map((p) => ({ kind: 'parameter' as const, p })),
    value.map((v) => ({ kind: 'value' as const, v })),
  ),
});

/** One of `bases`, edited 1–4 times; one in ten cut short, one in ten with bare LF line ends. */
export function mutatedContentLines(bases: string[]): fc.Arbitrary<string> {
  return fc.record({
    base: fc.nat(),
    edits: fc.array(edit, { minLength: 1, maxLength: 4 }),
    cut: fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.nat() }),
    bareLf: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  }).map(({ base, edits, cut, bareLf }) => {
    const lines = bases[base % bases.length]!.split(/\r?\n/);
    for (const { at, op } of edits) {
      const i = at % lines.length;
      const line = lines[i]!;
      const colon = line.indexOf(':');
      const nameEnd = line.search(/[;:]/);
      if (op.kind === 'insert') lines.splice(i, 0, op.line);
      else if (op.kind === 'delete') lines.splice(i, 1);
      else if (op.kind === 'repeat') lines.splice(i, 0, ...Array.from({ length: op.times }, () => line));
      else if (op.kind === 'parameter' && nameEnd > 0) lines[i] = line.slice(0, nameEnd) + op.p + line.slice(nameEnd);
      else if (op.kind === 'value' && colon > 0) lines[i] = line.slice(0, colon + 1) + op.v;
    }
    const text = lines.join(bareLf ? '\n' : '\r\n');
    return cut === undefined ? text : text.slice(0, cut % (text.length + 1));
  });
}
