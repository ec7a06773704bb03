// RFC 3339 dates and date-times, as JSON APIs carry them, and their placement in the
// zones an iCalendar object uses (timezones.ts). A Zone only maps wall clock → epoch,
// so the inverse (the wall clock at an instant) is found by fixed-point iteration.

import type { WallTime } from './reader.js';
import { wallMs, type Zone } from './timezones.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$/;

/** A parsed date-time: its wall clock and, when it carries one, its UTC offset in ms. */
export interface DateTimeValue {
  wall: WallTime;
  /** The fraction of a second, in whole ms (iCalendar has none; timestamps such as updatedMin do). */
  fractionMs: number;
  offsetMs: number | null;
}

function validWall(y: number, mo: number, d: number, h: number, mi: number, s: number, isDate: boolean): WallTime | undefined {
  const t = new Date(wallMs(y, mo, d, 0, 0, 0));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() + 1 !== mo || t.getUTCDate() !== d) return undefined;
  if (h > 23 || mi > 59 || s > 60) return undefined;
  // A leap second is read as the last second of its minute: neither iCalendar nor epochs have it.
  return { year: y, month: mo, day: d, hour: h, minute: mi, second: Math.min(s, 59), isDate };
}

/** `yyyy-mm-dd`, or undefined when it is not a real date. */
export function parseDate(text: string): WallTime | undefined {
  const m = DATE.exec(text);
  return m ? validWall(Number(m[1]), Number(m[2]), Number(m[3]), 0, 0, 0, true) : undefined;
}

/** An RFC 3339 date-time; the offset may be missing (the caller decides whether that is allowed). */
export function parseDateTime(text: string): DateTimeValue | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const wall = validWall(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), false);
  if (!wall) return undefined;
  const fractionMs = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const zone = m[8];
  if (zone === undefined) return { wall, fractionMs, offsetMs: null };
  if (zone === 'Z' || zone === 'z') return { wall, fractionMs, offsetMs: 0 };
  const sign = zone.startsWith('-') ? -1 : 1;
  const [hh, mm] = zone.slice(1).split(':').map(Number) as [number, number];
  if (hh > 23 || mm > 59) return undefined;
  return { wall, fractionMs, offsetMs: sign * (hh * 60 + mm) * 60_000 };
}

/** Epoch ms of a date-time that carries an offset. */
export function epochOfDateTime(v: DateTimeValue & { offsetMs: number }): number {
  const w = v.wall;
  return wallMs(w.year, w.month, w.day, w.hour, w.minute, w.second) + v.fractionMs - v.offsetMs;
}

function utcWall(epoch: number, isDate: boolean): WallTime {
  const t = new Date(epoch);
  return {
    year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate(),
    hour: isDate ? 0 : t.getUTCHours(), minute: isDate ? 0 : t.getUTCMinutes(), second: isDate ? 0 : t.getUTCSeconds(), isDate,
  };
}

/** The wall clock of `zone` at `epoch` (whole seconds). */
export function wallAt(epoch: number, zone: Zone): WallTime {
  const seconds = Math.floor(epoch / 1000) * 1000;
  let guess = seconds;
  // offset(w) = w − toEpoch(w); the wall time is the fixed point w = epoch + offset(w).
  // Two steps settle it except inside a DST gap, which has no exact answer anyway.
  for (let i = 0; i < 3; i++) {
    const w = utcWall(guess, false);
    const next = seconds + guess - zone.toEpoch(w.year, w.month, w.day, w.hour, w.minute, w.second);
    if (next === guess) break;
    guess = next;
  }
  return utcWall(guess, false);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function formatDate(w: WallTime): string {
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** `epoch` as an RFC 3339 date-time with the offset `zone` has then ('Z' when zero). */
export function formatDateTime(epoch: number, zone: Zone): string {
  const w = wallAt(epoch, zone);
  const offsetMinutes = Math.round((wallMs(w.year, w.month, w.day, w.hour, w.minute, w.second) - Math.floor(epoch / 1000) * 1000) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset = offsetMinutes === 0 ? 'Z' : `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return `${formatDate(w)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${offset}`;
}

/** A UTC timestamp with milliseconds, as Google writes `created` and `updated`. */
export function formatTimestamp(epoch: number): string {
  return new Date(epoch).toISOString();
}
