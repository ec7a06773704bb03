// VALARM trigger times (RFC 5545 §3.8.6.3, §3.6.6) for the VALARM time-range test
// of RFC 4791 §9.9. Triggers ical.js cannot read (VALUE=TIME, garbage) fire never.

import ICAL from 'ical.js';
import { safeValue, type TimeReader } from './reader.js';

/** More repetitions than any real alarm has; bounds the work per alarm. */
const MAX_REPEAT = 1000;

interface Trigger {
  /** Absolute trigger, or an offset from the instance start/end. */
  at: number | null;
  offset: number;
  related: 'START' | 'END';
  repeat: number;
  every: number;
}

function readTrigger(alarm: ICAL.Component, reader: TimeReader): Trigger | null {
  const prop = alarm.getFirstProperty('trigger');
  if (!prop) return null;
  const v = safeValue(prop);
  const repeat = Math.min(MAX_REPEAT, Math.max(0, Number(alarm.getFirstPropertyValue('repeat')) || 0));
  const d = alarm.getFirstPropertyValue('duration');
  const every = d instanceof ICAL.Duration ? Math.abs(d.toSeconds() * 1000) : 0;
  const base = { repeat: every > 0 ? repeat : 0, every };
  if (v instanceof ICAL.Duration) {
    // An unknown RELATED value (e.g. "ENDE") falls back to the default, START.
    const related = prop.getFirstParameter('related')?.toUpperCase() === 'END' ? 'END' : 'START';
    return { at: null, offset: v.toSeconds() * 1000, related, ...base };
  }
  if (v instanceof ICAL.Time) return { at: reader.epochOf(v, reader.zoneOf(prop, v)), offset: 0, related: 'START', ...base };
  return null;
}

/** All times the alarm fires for one instance with the given start/end. */
export function alarmTimes(alarm: ICAL.Component, base: { start: number | null; end: number | null }, reader: TimeReader): number[] {
  const t = readTrigger(alarm, reader);
  if (!t) return [];
  const from = t.at ?? (t.related === 'END' ? base.end : base.start);
  if (from === null) return [];
  const first = t.at ?? from + t.offset;
  const times = [first];
  for (let k = 1; k <= t.repeat; k++) times.push(first + k * t.every);
  return times;
}

/** How far (ms) any relative alarm of `comp` can fire from its instance's start or end. */
export function alarmReach(comp: ICAL.Component, reader: TimeReader): number {
  let reach = 0;
  for (const a of comp.getAllSubcomponents('valarm')) {
    const t = readTrigger(a, reader);
    if (t && t.at === null) reach = Math.max(reach, Math.abs(t.offset) + t.repeat * t.every);
  }
  return reach;
}
