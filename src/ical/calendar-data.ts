// RFC 4791 §9.6 calendar-data: which parts of an object a REPORT returns, and in
// what form (expanded into UTC instances, or limited to the overrides that matter
// for a range). Works on copies of jCal arrays; the (cached) input is never changed.

import ICAL from 'ical.js';
import type { ExpansionBudget } from './expansion-budget.js';
import { DAY_MS, readerFor, safeValues, type TimeReader, type WallTime } from './reader.js';
import { type Instance, instancesOverlapping, recurrenceSets } from './recurrence.js';
import { paced } from './steps.js';
import { eventEnd, overlaps, shapeOf } from './time-range.js';
import { floatingZone } from './timezones.js';
import type { CalendarDataRequest, CompSelection } from './types.js';

type JProp = [string, Record<string, unknown>, string, ...unknown[]];
type JComp = [string, JProp[], JComp[]];

/** How an expansion spends: what the request has left (ExpansionLimitError beyond it), and where it lets others run. */
export interface Expansion {
  budget?: ExpansionBudget;
  /** Awaited between instances: thousands of them are too long to hold the event loop. */
  pause: () => Promise<void>;
}

const NO_PAUSE: Expansion = { pause: async () => {} };

/** A promise only when the request expands: every other form is rendered at once. */
export function renderCalendarData(vcalendar: ICAL.Component, req: CalendarDataRequest, floatingTz?: string, expansion = NO_PAUSE): string | Promise<string> {
  const reader = readerFor(vcalendar, floatingZone(floatingTz));
  if (req.expand) return expand(reader, req, req.expand.start, req.expand.end, expansion);
  let jcal = vcalendar.jCal as JComp;
  if (req.limitRecurrenceSet) jcal = limitRecurrenceSet(reader, req.limitRecurrenceSet.start, req.limitRecurrenceSet.end);
  return icalText(selected(reader, jcal, req)) + '\r\n';
}

/** §9.6.1–9.6.4 and §9.6.7, which decide for each component on its own. */
function selected(reader: TimeReader, jcal: JComp, req: CalendarDataRequest): JComp {
  if (req.limitFreebusySet) jcal = limitFreebusySet(reader, jcal, req.limitFreebusySet.start, req.limitFreebusySet.end);
  if (req.comp) jcal = select(jcal, req.comp);
  return jcal;
}

function icalText(jcal: JComp): string {
  return new ICAL.Component(jcal).toString();
}

function utcText(epoch: number): string {
  return new Date(epoch).toISOString().slice(0, 19) + 'Z';
}

/** A DATE moved by whole days (all-day instances stay all-day). */
function dateText(t: WallTime, days: number): string {
  const d = ICAL.Time.fromData({ year: t.year, month: t.month, day: t.day, isDate: true });
  if (days) d.adjust(days, 0, 0, 0);
  return d.toString().slice(0, 10);
}

/**
 * §9.6.5: every instance overlapping the range as its own component, in UTC. Each is
 * rendered to text on its own, pausing between them: the calendar around them is
 * written once, and the instances go in before its END line.
 */
async function expand(reader: TimeReader, req: CalendarDataRequest, lo: number, hi: number, { budget, pause }: Expansion): Promise<string> {
  const instances = await paced(instancesOverlapping(reader, lo, hi, budget), pause);
  const [name, props] = reader.vcalendar.jCal as JComp;
  const around = icalText(selected(reader, [name, props, []], req));
  const end = `END:${name.toUpperCase()}`;
  let text = around.slice(0, -end.length);
  for (const i of instances) {
    for (const c of selected(reader, [name, props, [instanceJcal(reader, i)]], req)[2]) text += icalText(c) + '\r\n';
    await pause();
  }
  return text + end + '\r\n';
}

const RECURRENCE_PROPS = new Set(['rrule', 'rdate', 'exdate', 'exrule', 'recurrence-id']);

function instanceJcal(reader: TimeReader, inst: Instance): JComp {
  const { comp, shape, delta } = inst;
  const days = Math.round(delta / DAY_MS);
  const out = toUtc(reader, comp, (p, prop) => {
    if (RECURRENCE_PROPS.has(p[0])) return null;
    if (p[0] !== 'dtstart' && p[0] !== 'dtend' && p[0] !== 'due') return undefined;
    const t = safeValues(prop)[0];
    if (!(t instanceof ICAL.Time)) return p;
    if (p[0] === 'dtend' && inst.periodEnd !== null) return ['dtend', {}, 'date-time', utcText(inst.periodEnd)];
    if (t.isDate) return [p[0], {}, 'date', dateText(t, days)];
    const base = p[0] === 'dtstart' ? shape.start : p[0] === 'due' ? shape.due : shape.end;
    return [p[0], {}, 'date-time', utcText(base! + delta)];
  });
  const props = out[1];
  if (inst.periodEnd !== null) {
    // The PERIOD's end replaces the master's duration for this instance.
    const i = props.findIndex((p) => p[0] === 'duration');
    if (i >= 0) props.splice(i, 1);
    if (!props.some((p) => p[0] === 'dtend')) props.push(['dtend', {}, 'date-time', utcText(eventEnd(shape, delta, inst.periodEnd)!)]);
  }
  if (inst.rid) {
    const t = inst.rid.time;
    props.push(t.isDate ? ['recurrence-id', {}, 'date', dateText(t, 0)] : ['recurrence-id', {}, 'date-time', utcText(inst.rid.epoch)]);
  }
  return out;
}

/**
 * Copy of `comp` with every DATE-TIME in UTC. `custom` may replace a property
 * (return it), drop it (null) or leave it to the default conversion (undefined).
 */
function toUtc(reader: TimeReader, comp: ICAL.Component, custom: (p: JProp, prop: ICAL.Property) => JProp | null | undefined): JComp {
  const props: JProp[] = [];
  for (const prop of comp.getAllProperties()) {
    const p = prop.jCal as JProp;
    const c = custom(p, prop);
    if (c === null) continue;
    if (c !== undefined) {
      props.push(c);
    } else if (p[2] === 'date-time' && (prop.getFirstParameter('tzid') || safeValues(prop).some((v) => v instanceof ICAL.Time && v.zone !== ICAL.Timezone.utcTimezone))) {
      const { tzid: _tzid, ...params } = p[1];
      const values = safeValues(prop).map((v) => (v instanceof ICAL.Time && !v.isDate ? utcText(reader.epochOf(v, reader.zoneOf(prop, v))) : v));
      props.push([p[0], params, p[2], ...values.map(String)]);
    } else {
      props.push(p);
    }
  }
  return [comp.name, props, comp.getAllSubcomponents().map((s) => toUtc(reader, s, () => undefined))];
}

/** §9.6.6: masters as stored, plus only the overrides that affect the range. */
function limitRecurrenceSet(reader: TimeReader, lo: number, hi: number): JComp {
  const [name, props, comps] = reader.vcalendar.jCal as JComp;
  const keep = new Set<unknown>();
  for (const c of reader.vcalendar.getAllSubcomponents()) {
    if (!c.hasProperty('recurrence-id')) keep.add(c.jCal);
  }
  const types = new Set(reader.vcalendar.getAllSubcomponents().filter((c) => c.hasProperty('recurrence-id')).map((c) => c.name.toUpperCase()));
  for (const type of types) {
    for (const set of recurrenceSets(reader, type)) {
      const master = set.master ? shapeOf(set.master, reader) : null;
      for (const o of set.overrides) {
        // The override matters if the instance it replaces, or the one it creates, is in range.
        const replaced = master && master.anchor !== null && overlaps(master, o.rid.epoch - master.anchor, null, lo, hi);
        if (replaced || overlaps(shapeOf(o.comp, reader), 0, null, lo, hi)) keep.add(o.comp.jCal);
      }
    }
  }
  return [name, props, comps.filter((c) => keep.has(c))];
}

/** §9.6.7: FREEBUSY values outside the range are dropped. */
function limitFreebusySet(reader: TimeReader, jcal: JComp, lo: number, hi: number): JComp {
  const [name, props, comps] = jcal;
  const limited = comps.map((c): JComp => {
    if (c[0] !== 'vfreebusy') return c;
    const fb = new ICAL.Component(c, reader.vcalendar);
    const kept: JProp[] = [];
    for (const prop of fb.getAllProperties()) {
      const p = prop.jCal as JProp;
      if (p[0] !== 'freebusy') {
        kept.push(p);
        continue;
      }
      const values = p.slice(3).filter((_, i) => {
        const v = safeValues(prop)[i];
        if (!(v instanceof ICAL.Period)) return true;
        const zone = reader.zoneOf(prop, v.start);
        const s = reader.epochOf(v.start, zone);
        const e = v.end ? reader.epochOf(v.end, zone) : s + v.duration.toSeconds() * 1000;
        return lo < e && hi > s;
      });
      if (values.length) kept.push([p[0], p[1], p[2], ...values]);
    }
    return [c[0], kept, c[2]];
  });
  return [name, props, limited];
}

/** §9.6.1–9.6.4: keep only the selected components and properties. */
function select(jcal: JComp, sel: CompSelection): JComp {
  const [name, props, comps] = jcal;
  const outProps = sel.allProps
    ? props
    : props.flatMap((p): JProp[] => {
        const want = sel.props.find((w) => w.name.toLowerCase() === p[0]);
        if (!want) return [];
        return [want.novalue ? [p[0], p[1], 'text', ''] : p];
      });
  const outComps = sel.allComps
    ? comps
    : comps.flatMap((c) => {
        const s = sel.comps.find((w) => w.name.toLowerCase() === c[0]);
        return s ? [select(c, s)] : [];
      });
  return [name, outProps, outComps];
}
