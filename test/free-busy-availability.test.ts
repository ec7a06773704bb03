import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AvailabilityError, availabilityBusy, parseAvailability } from '../src/scheduling/availability.js';
import { freeBusyBudget } from '../src/scheduling/freebusy.js';
import { mergeBusy } from '../src/scheduling/freebusy-periods.js';

// RFC 7953 §4: how VAVAILABILITY components of different priorities combine.

const vcalendar = (...components: string[][]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Davenport tests//EN', ...components.flat(), 'END:VCALENDAR', ''].join('\r\n');

function vavailability(uid: string, props: string[], available: string[][]): string[] {
  return [
    'BEGIN:VAVAILABILITY', `UID:${uid}`, 'DTSTAMP:20240101T000000Z', ...props,
    ...available.flatMap((a, i) => ['BEGIN:AVAILABLE', `UID:${uid}-${i}`, 'DTSTAMP:20240101T000000Z', ...a, 'END:AVAILABLE']),
    'END:VAVAILABILITY',
  ];
}

const at = (s: string) => Date.parse(s);
const show = (periods: { start: number; end: number; type: string }[]) =>
  periods.map((p) => `${p.type} ${new Date(p.start).toISOString().slice(5, 16)}–${new Date(p.end).toISOString().slice(11, 16)}`);

describe('VAVAILABILITY', () => {
  // Every day 09:00–17:00Z, from 2024-06-01 on, at the lowest priority.
  const everyDay = vavailability('usual', ['DTSTART:20240601T000000Z'], [['DTSTART:20240601T090000Z', 'DTEND:20240601T170000Z', 'RRULE:FREQ=DAILY']]);

  it('is busy outside its AVAILABLE periods, within its own span only', () => {
    const busy = availabilityBusy(parseAvailability(vcalendar(everyDay)), at('2024-05-31T12:00:00Z'), at('2024-06-02T00:00:00Z'), freeBusyBudget());
    assert.deepEqual(show(mergeBusy(busy, at('2024-05-31T12:00:00Z'), at('2024-06-02T00:00:00Z'))), [
      'BUSY-UNAVAILABLE 06-01T00:00–09:00', 'BUSY-UNAVAILABLE 06-01T17:00–00:00',
    ]);
  });

  it('a higher PRIORITY overrides a lower one where they overlap; equal ones join their AVAILABLE periods', () => {
    // On 06-03: a half day (PRIORITY 1) available only 12:00–14:00 and, with the same
    // priority and BUSYTYPE BUSY, 15:00–16:00 as well.
    const halfDay = vavailability('half-day', ['PRIORITY:1', 'DTSTART:20240603T000000Z', 'DTEND:20240604T000000Z'], [['DTSTART:20240603T120000Z', 'DTEND:20240603T140000Z']]);
    const extra = vavailability('extra', ['PRIORITY:1', 'BUSYTYPE:BUSY', 'DTSTART:20240603T140000Z', 'DURATION:PT4H'], [['DTSTART:20240603T150000Z', 'DURATION:PT1H']]);
    const lo = at('2024-06-03T00:00:00Z'), hi = at('2024-06-04T00:00:00Z');
    const busy = mergeBusy(availabilityBusy(parseAvailability(vcalendar(everyDay, halfDay, extra)), lo, hi, freeBusyBudget()), lo, hi);
    assert.deepEqual(show(busy), [
      'BUSY-UNAVAILABLE 06-03T00:00–12:00',
      'BUSY 06-03T14:00–15:00',
      'BUSY 06-03T16:00–18:00',
      'BUSY-UNAVAILABLE 06-03T18:00–00:00',
    ]);
  });

  it('refuses what is not availability', () => {
    for (const bad of [
      'nonsense',
      vcalendar(['BEGIN:VEVENT', 'UID:x', 'DTSTAMP:20240101T000000Z', 'DTSTART:20240101T000000Z', 'END:VEVENT']),
      vcalendar(vavailability('no-end', [], [['DTSTART:20240601T090000Z']])),
      vcalendar(vavailability('backwards', ['DTSTART:20240601T000000Z', 'DTEND:20240501T000000Z'], [])),
      vcalendar(vavailability('bad-type', ['BUSYTYPE:SLEEPING'], [])),
      vcalendar(['METHOD:PUBLISH'], vavailability('method', [], [])),
    ]) {
      assert.throws(() => parseAvailability(bad), AvailabilityError, bad);
    }
  });
});
