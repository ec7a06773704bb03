// How the engines make an interval query two-sided on an index: intervals are
// bucketed by width, level k holding those no wider than LEVEL_WIDTHS[k] and the top
// level everything wider. An interval of level k that matches [a, b) starts in
// [a - width_k, b), one range scan per level. The widths suit calendars (a week up to
// ~80 years) but nothing depends on that but speed.

import type { Interval, IntervalPrecision, IntervalQuery, IntervalSet } from './types.js';

const WEEK_MS = 7 * 86_400_000;
export const LEVEL_WIDTHS = [1, 8, 64, 512, 4096].map((w) => w * WEEK_MS);
export const TOP_LEVEL = LEVEL_WIDTHS.length;
export const UNBOUNDED = Number.MAX_SAFE_INTEGER;

/** Stored precision codes: 1 decides, 2 decides for the object's tag, 0 pre-selects. */
export const PRECISION_CODE: Record<IntervalPrecision, number> = { exact: 1, exactForTag: 2, candidate: 0 };

export interface IntervalRow {
  level: number;
  start: number;
  end: number;
  exact: number;
}

const clamp = (n: number) => Math.max(-UNBOUNDED, Math.min(UNBOUNDED, n));

function levelOf(start: number, end: number): number {
  const width = end - start;
  const k = LEVEL_WIDTHS.findIndex((w) => width <= w);
  return k < 0 ? TOP_LEVEL : k;
}

/** The rows to store for a set: integer bounds, equal intervals once (the surest kept). */
export function intervalRows(set: IntervalSet): IntervalRow[] {
  const rank = (p: IntervalPrecision) => (p === 'candidate' ? 0 : p === 'exactForTag' ? 2 : 3);
  const unique = new Map<string, { start: number; end: number; precision: IntervalPrecision }>();
  for (const iv of set.intervals) {
    const start = clamp(Math.round(iv.start));
    const end = Math.max(start, clamp(Math.round(iv.end)));
    const key = `${start}/${end}`;
    const seen = unique.get(key);
    if (!seen || rank(seen.precision) < rank(iv.precision)) unique.set(key, { start, end, precision: iv.precision });
  }
  return [...unique.values()].map((iv: Interval) => ({
    level: levelOf(iv.start, iv.end), start: iv.start, end: iv.end, exact: PRECISION_CODE[iv.precision],
  }));
}

/**
 * The bounds of a query: the range itself, the range widened by the slack (where a
 * row placed under another tag may lie), and per level the lowest start a match can have.
 */
export function queryBounds(q: IntervalQuery): { start: number; end: number; startSlack: number; endSlack: number; lo: number[] } {
  return {
    start: q.start ?? -UNBOUNDED,
    end: q.end ?? UNBOUNDED,
    startSlack: q.start === null ? -UNBOUNDED : clamp(q.start - q.slack),
    endSlack: q.end === null ? UNBOUNDED : clamp(q.end + q.slack),
    lo: LEVEL_WIDTHS.map((w) => (q.start === null ? -UNBOUNDED : clamp(q.start - w - q.slack))),
  };
}

/**
 * Members are reported in uri order, byte order as everywhere else; sorted in JS so
 * SQL's sorter need not carry their data.
 */
export function byUri<T extends { uri: string }>(rows: T[]): T[] {
  return rows
    .map((row) => ({ key: Buffer.from(row.uri), row }))
    .sort((a, b) => Buffer.compare(a.key, b.key))
    .map(({ row }) => row);
}
