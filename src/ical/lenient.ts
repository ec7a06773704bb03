// Data real clients write that ical.js refuses or misreads, made readable for
// validation, the index and queries. Only ever applied to a copy: the stored bytes
// stay exactly what the client sent (GET and plain calendar-data return them).
//
// - A parameter without "=" (Evolution: "COMPLETED;America/New_York:2017…") makes
//   ical.js reject the whole object. The parameter is dropped from the copy, so the
//   value reads as floating, which the index widens by ±14 h.
// - Spaces inside a rule (Microsoft CDO: "BYDAY=MO, TU, WE") are removed.
// - RFC 7529 rules (RSCALE other than GREGORIAN, SKIP other than OMIT; BlackBerry
//   and others send them) are not expanded by ical.js: it rejects "BYMONTH=13",
//   reads "BYMONTH=5L" as May and a Chinese yearly rule as a Gregorian one. Such an
//   RRULE is replaced by a superset: every day (finer when the rule names hours,
//   minutes or seconds) from DTSTART up to its UNTIL. Time-range queries then
//   over-include the series rather than miss it; nothing throws at query time.
//   An EXRULE of that kind is dropped (excluding less, again over-including).
//
// Nothing else is repaired: data broken in other ways stays rejected.

import { splitLine, unfoldLines } from '../text/content-line.js';

/** Rule parts as written, upper-case names. */
function ruleParts(value: string): Map<string, string> {
  const parts = new Map<string, string>();
  for (const part of value.split(';')) {
    const i = part.indexOf('=');
    if (i > 0) parts.set(part.slice(0, i).trim().toUpperCase(), part.slice(i + 1).trim());
  }
  return parts;
}

function isUnexpandable(rscale: unknown, skip: unknown): boolean {
  const r = typeof rscale === 'string' ? rscale.toUpperCase() : 'GREGORIAN';
  const s = typeof skip === 'string' ? skip.toUpperCase() : 'OMIT';
  return r !== 'GREGORIAN' || s !== 'OMIT';
}

const FINER = ['SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'];

/** The frequency of the superset rule: the rule's own, but at most DAILY. */
function supersetFreq(freq: string, has: (part: string) => boolean): string {
  let f = Math.min(FINER.indexOf(freq.toUpperCase()) < 0 ? 3 : FINER.indexOf(freq.toUpperCase()), 3);
  if (has('BYHOUR')) f = Math.min(f, 2);
  if (has('BYMINUTE')) f = Math.min(f, 1);
  if (has('BYSECOND')) f = Math.min(f, 0);
  return FINER[f]!;
}

/**
 * A repaired copy of `text` for ical.js to read, or null when there is nothing
 * this module repairs (the caller then reports the original parse error).
 */
export function repairText(text: string): string | null {
  let changed = false;
  const out: string[] = [];
  for (const line of unfoldLines(text)) {
    const parsed = splitLine(line);
    if (!parsed) {
      out.push(line);
      continue;
    }
    const { name, value } = parsed;
    const params = parsed.params.filter((p) => p.includes('='));
    let v = value;
    const upper = name.toUpperCase();
    if (upper === 'RRULE' || upper === 'EXRULE') {
      v = value.replace(/\s+/g, '');
      const parts = ruleParts(v);
      if (isUnexpandable(parts.get('RSCALE'), parts.get('SKIP'))) {
        changed = true;
        if (upper === 'EXRULE') continue;
        const until = parts.get('UNTIL');
        v = `FREQ=${supersetFreq(parts.get('FREQ') ?? 'DAILY', (p) => parts.has(p))}${until ? `;UNTIL=${until}` : ''}`;
      }
    }
    if (params.length !== parsed.params.length || v !== value) changed = true;
    out.push(`${name}${params.map((p) => `;${p}`).join('')}:${v}`);
  }
  return changed ? out.join('\r\n') : null;
}

type JProp = [string, Record<string, unknown>, string, ...unknown[]];
type JComp = [string, JProp[], JComp[]];

/**
 * Replaces, in parsed jCal, the RFC 7529 rules ical.js parsed but would expand
 * wrongly (RSCALE=CHINESE;FREQ=YEARLY reads as a Gregorian yearly rule), the same
 * way repairText does for those it cannot parse. Changes `jcal` in place.
 */
export function widenUnexpandableRules(jcal: unknown[]): void {
  const [, props, comps] = jcal as JComp;
  for (let i = props.length - 1; i >= 0; i--) {
    const p = props[i]!;
    if ((p[0] !== 'rrule' && p[0] !== 'exrule') || p[2] !== 'recur') continue;
    const rule = (p[3] ?? {}) as Record<string, unknown>;
    if (!isUnexpandable(rule.rscale, rule.skip)) continue;
    if (p[0] === 'exrule') {
      props.splice(i, 1);
      continue;
    }
    const superset: Record<string, unknown> = { freq: supersetFreq(String(rule.freq ?? 'DAILY'), (part) => rule[part.toLowerCase()] !== undefined) };
    if (rule.until !== undefined) superset.until = rule.until;
    props[i] = [p[0], p[1], p[2], superset];
  }
  for (const c of comps) widenUnexpandableRules(c);
}
