// The occurrences the source projects' own tests state for the real-world fixtures
// ("Source test:" in ../shared/fixtures/MANIFEST.tsv), shared by the expansion test
// (test/ical-occurrences.test.ts) and the same checks over HTTP (caldav-fixtures).

import assert from 'node:assert/strict';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Occurrences the source projects' tests state (MANIFEST "Source test:"). */
export interface OccurrenceCase {
  file: string;
  /** UTC; where the source states a local zone the range is converted here. */
  range: [number, number];
  count: number;
  comp?: 'VEVENT' | 'VTODO' | 'VJOURNAL';
  check?: (found: Found[]) => void;
}

export interface Found {
  start: number;
  end: number | null;
  summary: string;
  status: string;
}

export const utc = (s: string): number => Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s);
// Dates without a zone are taken as UTC days, as ical-occurrences.test.ts does.
export const day = (s: string): [number, number] => [utc(s), utc(s) + DAY];
// "In total": wide enough for every finite series here.
export const ALL: [number, number] = [utc('1900-01-01'), utc('2200-01-01')];

export const OCCURRENCES: OccurrenceCase[] = [
  { file: 'google/rie-issue_62_moved_event.ics', range: day('2021-12-31'), count: 0 },
  { file: 'google/rie-issue_62_moved_event.ics', range: day('2021-12-17'), count: 1 },
  { file: 'google/rie-issue_62_moved_event.ics', range: [utc('2021-12-01'), utc('2022-01-01')], count: 1 },
  { file: 'google/rie-issue_62_moved_event_2.ics', range: [utc('2023-08-01'), utc('2023-09-01')], count: 6 },
  { file: 'google/rie-issue_62_moved_event_2.ics', range: day('2023-08-15'), count: 0 },
  { file: 'google/rie-issue_62_moved_event_2.ics', range: day('2023-08-17'), count: 0 },
  // 10:00–15:00 America/Chicago on 2020-12-11 is CST (UTC−6): 16:00Z–21:00Z.
  { file: 'google/rie-issue_48_dst.ics', range: [utc('2020-12-11T16:00:00Z'), utc('2020-12-11T21:00:00Z')], count: 3 },
  { file: 'google/rie-issue_44_double_event.ics', range: day('2020-08-14'), count: 1, check: (f) => assert.equal(f[0]!.summary, 'test2') },
  { file: 'google/rie-issue_44_double_event.ics', range: day('2020-08-13'), count: 0 },
  { file: 'google/rie-issue_44_double_event.ics', range: day('2020-08-15'), count: 0 },
  { file: 'google/rie-issue_151_macos_linux_difference.ics', range: [1722564000_000, 1722567600_000], count: 1 },
  { file: 'outlook-exchange/rie-issue_27_t1.ics', range: [utc('2020-04-25'), utc('2020-04-30')], count: 2 },
  { file: 'outlook-exchange/rie-issue_27_t2.ics', range: [utc('2020-04-25'), utc('2020-04-30')], count: 2 },
  { file: 'outlook-exchange/rie-issue_28_rrule_with_UTC_endinginZ.ics', range: [utc('2020-05-25'), utc('2020-09-05')], count: 15 },
  { file: 'outlook-exchange/rie-issue_28_rrule_with_UTC_endinginZ.ics', range: [utc('2020-09-03'), utc('2020-09-05')], count: 1 },
  { file: 'outlook-exchange/rie-Germany.ics', range: day('2014-05-11'), count: 1 },
  ...['2019-03-07', '2019-03-08', '2019-03-10'].map((s) => ({ file: 'thunderbird/rie-recurring_events_moved.ics', range: day(s), count: 1 })),
  { file: 'thunderbird/rie-recurring_events_moved.ics', range: day('2019-03-09'), count: 1, check: (f) => assert.equal(f[0]!.summary, 'New Event') },
  ...([['2019-03-07', 60], ['2019-03-08', 120], ['2019-03-09', 30], ['2019-03-10', 1440]] as const).map(([s, minutes]) => ({
    file: 'thunderbird/rie-recurring_events_changed_duration.ics',
    range: day(s),
    count: 1,
    check: (f: Found[]) => assert.equal((f[0]!.end! - f[0]!.start) / 60_000, minutes),
  })),
  { file: 'thunderbird/rie-issue_18_cancel_status.ics', range: day('2020-01-28'), count: 1, check: (f) => assert.equal(f[0]!.status, '') },
  { file: 'thunderbird/rie-issue_18_cancel_status.ics', range: day('2020-01-29'), count: 1, check: (f) => assert.equal(f[0]!.status, 'CANCELLED') },
  { file: 'thunderbird/rie-issue_18_cancel_status.ics', range: day('2020-01-30'), count: 1, check: (f) => assert.equal(f[0]!.status, '') },
  { file: 'thunderbird/rie-alarm_at_start_of_event.ics', range: day('2024-10-04'), count: 1 },
  { file: 'evolution/rie-recurrence_sequence_number.ics', range: day('2020-09-22'), count: 1, check: (f) => assert.equal(f[0]!.summary, 'Modified event') },
  { file: 'android-davx5/rie-issue_20_exdate_ignored.ics', range: ALL, count: 7 },
  { file: 'android-davx5/rie-rdate_falls_on_rrule_until.ics', range: day('2020-02-04'), count: 1 },
  { file: 'other-real/rie-multiple_rrule.ics', range: [utc('2023-01-01'), utc('2024-01-01')], count: 22 },
  ...['2023-02-09', '2023-02-13', '2023-02-16', '2023-03-13'].map((s) => ({ file: 'other-real/rie-multiple_rrule.ics', range: day(s), count: 1 })),
  { file: 'other-real/rie-duplicated_rrule.ics', range: [utc('2023-01-01'), utc('2024-01-01')], count: 20 },
  { file: 'other-real/rie-each_week_but_two_deleted.ics', range: ALL, count: 6 },
  // No UID in the file: checked on the Thunderbird-style import (UIDs generated).
  { file: 'other-real/rie-rdate_hackerpublicradio.ics', range: ALL, count: 12 },
  { file: 'other-real/rie-discourse_no_dtend.ics', range: day('2019-01-17'), count: 1 },
  { file: 'synthetic-edge/rie-issue_75_range_parameter.ics', range: [utc('2024-09-01T00:00:00Z'), utc('2024-09-25T23:59:59Z')], count: 13 },
  { file: 'synthetic-edge/rie-issue_75_range_parameter.ics', range: [utc('2024-09-24T00:00:00Z'), utc('2024-09-25T23:59:59Z')], count: 1 },
  // 12:00–15:00 America/Vancouver on 2023-12-13 is PST (UTC−8): 20:00Z–23:00Z.
  {
    file: 'synthetic-edge/rie-issue_113_period_in_rdate.ics', range: day('2023-12-13'), count: 1,
    check: (f) => assert.deepEqual([f[0]!.start, f[0]!.end], [utc('2023-12-13T20:00:00Z'), utc('2023-12-13T23:00:00Z')]),
  },
  // No UID in the file: checked on the Thunderbird-style import.
  {
    file: 'synthetic-edge/rie-issue_113_period_rdate_duration.ics', range: day('2024-09-13'), count: 1,
    check: (f) => assert.equal(f[0]!.end! - f[0]!.start, 2 * HOUR),
  },
  { file: 'synthetic-edge/rie-issue_97_simple_journal.ics', range: [utc('1995-01-01'), utc('2002-01-01')], count: 7, comp: 'VJOURNAL' },
  { file: 'synthetic-edge/rie-issue_97_simple_journal.ics', range: [utc('1989-01-01'), utc('1992-01-01')], count: 0, comp: 'VJOURNAL' },
  { file: 'synthetic-edge/rie-issue_97_simple_todo.ics', range: [utc('1995-01-01'), utc('2002-01-01')], count: 7, comp: 'VTODO' },
  { file: 'synthetic-edge/rie-issue_97_todo_nodtstart.ics', range: [utc('1995-01-01'), utc('2002-01-01')], count: 7, comp: 'VTODO' },
];
