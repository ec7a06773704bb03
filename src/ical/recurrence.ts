// Recurrence sets (RFC 5545 §3.8.5): master + RRULEs (several allowed), RDATE incl.
// PERIOD, EXDATE, and overrides by RECURRENCE-ID incl. moved instances and
// RANGE=THISANDFUTURE. ical.js's RecurIterator generates each rule's wall-clock
// dates; merging, exclusion, overrides and UTC placement are done here, because
// RecurExpansion neither dedupes RRULE/RDATE collisions nor handles PERIOD values.
//
// Generation always stops at the end of the window asked for: an open-ended daily
// rule costs what the window needs, never "to infinity".

import ICAL from 'ical.js';
import { ExpansionBudget, ExpansionLimitError } from './expansion-budget.js';
import { DAY_MS, safeValues, wallTime, type TimeReader, type WallTime } from './reader.js';
import { finish, type Steps } from './steps.js';
import { overlaps, shapeOf, span, type Shape } from './time-range.js';
import { UTC_ZONE, type Zone } from './timezones.js';

/** Hard stop for pathological rules (FREQ=SECONDLY for decades); results past it are cut. */
export const MAX_GENERATED = 50_000;

export interface RecurrenceId {
  epoch: number;
  /** Wall-clock value in the master's zone (a DATE for all-day series). */
  time: WallTime;
}

export interface Instance {
  /** Where this instance's properties come from: the master, or the override in effect. */
  comp: ICAL.Component;
  shape: Shape;
  /** Milliseconds to add to the times of `comp` to get this instance's times. */
  delta: number;
  /** End from an RDATE;VALUE=PERIOD, which overrides the master's duration. */
  periodEnd: number | null;
  /** null for a non-recurring component. */
  rid: RecurrenceId | null;
}

interface Candidate {
  epoch: number;
  time: WallTime;
  periodEnd: number | null;
}

interface Source {
  head: Candidate | null;
  advance(): void;
}

/** A generation of the master's instances for a window, kept for the next query. */
interface Generated {
  from: number;
  until: number;
  result: 'done' | 'truncated';
  instances: Instance[];
}

interface Override {
  comp: ICAL.Component;
  rid: RecurrenceId;
  isDate: boolean;
}

function dayKey(t: WallTime): number {
  return t.year * 10000 + t.month * 100 + t.day;
}

function isRecurringMaster(c: ICAL.Component): boolean {
  return c.hasProperty('rrule') || c.hasProperty('rdate');
}

export class RecurrenceSet {
  readonly master: ICAL.Component | null;
  readonly overrides: Override[] = [];
  /** True when the set has instances beyond any finite bound. */
  readonly infinite: boolean;
  private readonly zone: Zone | null = null;
  private readonly anchor: ICAL.Time | null = null;
  private readonly anchorProp: string;

  constructor(
    comps: ICAL.Component[],
    private readonly reader: TimeReader,
  ) {
    this.master = comps.find((c) => !c.hasProperty('recurrence-id')) ?? null;
    this.anchorProp = this.master?.hasProperty('dtstart') || !this.master ? 'dtstart' : 'due';
    const a = this.master ? reader.instant(this.master, this.anchorProp) : null;
    if (a) {
      this.zone = a.zone;
      this.anchor = a.time;
    }
    for (const c of comps) {
      if (c === this.master) continue;
      const prop = c.getFirstProperty('recurrence-id')!;
      const t = safeValues(prop)[0];
      if (!(t instanceof ICAL.Time)) continue;
      const zone = reader.zoneOf(prop, t, this.zone ?? undefined);
      this.overrides.push({ comp: c, rid: { epoch: reader.epochOf(t, zone), time: t }, isDate: t.isDate });
    }
    this.infinite = !!this.master && !!this.anchor &&
      this.master.getAllProperties('rrule').some((p) => {
        const r = safeValues(p)[0];
        return r instanceof ICAL.Recur && !r.count && !r.until;
      });
  }

  /** Epoch of the master's DTSTART (or DUE), where generation begins. */
  get anchorEpoch(): number | null {
    return this.anchor && this.zone ? this.reader.epochOf(this.anchor, this.zone) : null;
  }

  get recurring(): boolean {
    return !!this.master && !!this.anchor && isRecurringMaster(this.master);
  }

  /**
   * Visits every instance whose anchor is at or before `until` (epoch ms), in
   * generation order; overrides come last. Return true from `visit` to stop.
   * Instances ending well before `from` may be skipped (not guaranteed).
   * Returns false when generation was cut at MAX_GENERATED, i.e. instances before
   * `until` may be missing.
   */
  forEach(from: number, until: number, visit: (i: Instance) => boolean | void): boolean {
    return finish(this.forEachInSteps(from, until, visit));
  }

  /** forEach in steps, one per instance generated: an expansion may pause between them. */
  *forEachInSteps(from: number, until: number, visit: (i: Instance) => boolean | void): Steps<boolean> {
    let complete = true;
    if (this.master && !this.recurring) {
      if (visit(this.instance(this.master, 0, null, null))) return true;
    } else if (this.master) {
      const generated = yield* this.cachedGenerate(from, until);
      for (const i of generated.instances) if (visit(i)) return true;
      complete = generated.result === 'done';
    }
    for (const o of this.overrides) {
      if (visit(this.instance(o.comp, 0, null, o.rid))) return true;
    }
    return complete;
  }

  private instance(comp: ICAL.Component, delta: number, periodEnd: number | null, rid: RecurrenceId | null): Instance {
    return { comp, shape: shapeOf(comp, this.reader), delta, periodEnd, rid };
  }

  // The last complete generation, replayed while later calls ask for a window it
  // covers: stored objects stay parsed (parseStored), so repeated queries over the
  // same month cost a filter over a short array instead of a re-expansion. A cut
  // generation is not replayed: a narrower window may well be complete.
  private last: Generated | null = null;

  private *cachedGenerate(from: number, until: number): Steps<Generated> {
    const c = this.last;
    if (c && c.result === 'done' && c.from <= from && c.until >= until) return c;
    const instances: Instance[] = [];
    const steps = this.generate(from, until);
    for (let s = steps.next(); ; s = steps.next()) {
      if (s.done) return (this.last = { from, until, result: s.value, instances });
      instances.push(s.value);
      yield;
    }
  }

  /** Master-generated instances up to `until`, one at a time. */
  private *generate(from: number, until: number): Generator<Instance, 'done' | 'truncated', void> {
    const master = this.master!;
    const zone = this.zone!;
    const anchor = this.anchor!;
    const masterShape = shapeOf(master, this.reader);
    const masterAnchor = masterShape.anchor ?? this.reader.epochOf(anchor, zone);
    const exact = new Map<number, Override>();
    const byDay = new Map<number, Override>();
    const future: Override[] = [];
    for (const o of this.overrides) {
      // A RECURRENCE-ID whose value type differs from DTSTART (seen in the wild)
      // can only be matched by calendar date.
      if (o.isDate !== anchor.isDate) byDay.set(dayKey(o.rid.time), o);
      else exact.set(o.rid.epoch, o);
      if (o.comp.getFirstProperty('recurrence-id')!.getFirstParameter('range')?.toUpperCase() === 'THISANDFUTURE') future.push(o);
    }
    future.sort((a, b) => a.rid.epoch - b.rid.epoch);
    // A THISANDFUTURE override may move later instances earlier; keep generating
    // far enough that those can still land inside the window.
    let backShift = 0;
    for (const o of future) {
      const s = shapeOf(o.comp, this.reader).anchor;
      if (s !== null) backShift = Math.max(backShift, o.rid.epoch - s);
    }
    const limit = until + backShift;
    // Instances whose recurrence id is before this cannot reach `from`: not even
    // with the longest duration or a THISANDFUTURE move to later.
    let forwardShift = 0;
    for (const o of future) {
      const sh = shapeOf(o.comp, this.reader);
      const [a, b] = span(sh, 0, null);
      if (sh.anchor !== null && a !== null && b !== null) forwardShift = Math.max(forwardShift, sh.anchor - o.rid.epoch + (b - a));
      else forwardShift = Infinity;
    }
    const [mlo, mhi] = span(masterShape, 0, null);
    const skipBefore = mlo !== null && mhi !== null ? from - (mhi - mlo) - forwardShift : -Infinity;
    const { exEpochs, exDays } = this.exclusions(zone, anchor.isDate);
    const sources = this.sources(zone, anchor, skipBefore);
    let generated = 0;
    let last = -Infinity;
    for (;;) {
      let next: Candidate | null = null;
      for (const s of sources) if (s.head && (!next || s.head.epoch < next.epoch)) next = s.head;
      if (!next || next.epoch > limit) return 'done';
      if (++generated > MAX_GENERATED) return 'truncated';
      const c = next;
      // Several sources may yield the same instant (DTSTART, RRULE and RDATE, or two
      // identical RRULEs): it is one instance.
      for (const s of sources) while (s.head && s.head.epoch === c.epoch) s.advance();
      if (c.epoch === last) continue;
      last = c.epoch;
      if (exEpochs.has(c.epoch) || (exDays.size > 0 && exDays.has(dayKey(c.time)))) continue;
      if (exact.has(c.epoch) || (byDay.size > 0 && byDay.has(dayKey(c.time)))) continue;
      const rid = { epoch: c.epoch, time: c.time };
      let from: Override | undefined;
      for (const o of future) if (o.rid.epoch < c.epoch) from = o;
      const inst = from
        ? this.instance(from.comp, c.epoch - from.rid.epoch, null, rid)
        : this.instance(master, c.epoch - masterAnchor, c.periodEnd, rid);
      yield inst;
    }
  }

  private exclusions(zone: Zone, anchorIsDate: boolean): { exEpochs: Set<number>; exDays: Set<number> } {
    const exEpochs = new Set<number>();
    const exDays = new Set<number>();
    for (const p of this.master!.getAllProperties('exdate')) {
      for (const v of safeValues(p)) {
        if (!(v instanceof ICAL.Time)) continue;
        // A DATE EXDATE on a timed series removes every instance on that day.
        if (v.isDate && !anchorIsDate) exDays.add(dayKey(v));
        else exEpochs.add(this.reader.epochOf(v, this.reader.zoneOf(p, v, zone)));
      }
    }
    return { exEpochs, exDays };
  }

  private sources(zone: Zone, anchor: ICAL.Time, skipBefore: number): Source[] {
    const reader = this.reader;
    const master = this.master!;
    const sources: Source[] = [];
    // DTSTART is always the first instance (RFC 5545 §3.8.5.3), even if no rule matches it.
    const first: Candidate = { epoch: reader.epochOf(anchor, zone), time: anchor, periodEnd: null };
    sources.push({ head: first, advance() { this.head = null; } });

    const rdates: Candidate[] = [];
    for (const p of master.getAllProperties('rdate')) {
      for (const v of safeValues(p)) {
        if (v instanceof ICAL.Time) {
          rdates.push({ epoch: reader.epochOf(v, reader.zoneOf(p, v, zone)), time: v, periodEnd: null });
        } else if (v instanceof ICAL.Period) {
          const z = reader.zoneOf(p, v.start, zone);
          const epoch = reader.epochOf(v.start, z);
          const end = v.end ? reader.epochOf(v.end, reader.zoneOf(p, v.end, zone)) : epoch + v.duration.toSeconds() * 1000;
          rdates.push({ epoch, time: v.start, periodEnd: end });
        }
      }
    }
    rdates.sort((a, b) => a.epoch - b.epoch);
    let ri = 0;
    sources.push({ head: rdates[0] ?? null, advance() { this.head = rdates[++ri] ?? null; } });

    for (const p of master.getAllProperties('rrule')) {
      const rule = safeValues(p)[0];
      if (rule instanceof ICAL.Recur) sources.push(this.ruleSource(rule, anchor, zone, skipBefore));
    }
    return sources;
  }

  /** One RRULE as a source. UNTIL is applied here on the UTC line, because ical.js
   * compares it with a time in a zone it may not know (custom or Windows TZIDs). */
  private ruleSource(rule: ICAL.Recur, anchor: ICAL.Time, zone: Zone, skipBefore: number): Source {
    const reader = this.reader;
    let untilEpoch = Infinity;
    if (rule.until) {
      const u = rule.until;
      // A DATE UNTIL includes that whole day; a floating one is read in DTSTART's zone.
      untilEpoch = u.isDate
        ? zone.toEpoch(u.year, u.month, u.day + 1, 0, 0, 0) - 1
        : reader.epochOf(u, u.zone === ICAL.Timezone.utcTimezone ? UTC_ZONE : zone);
    }
    const unbounded = rule.clone();
    unbounded.until = null;
    // Rules step through wall-clock times; the zone only matters when a time is placed
    // on the UTC line (epochOf, with our cached zone). Iterating zoned times would make
    // ical.js expand the object's own VTIMEZONE afresh for every object.
    const local = anchor.clone();
    local.zone = ICAL.Timezone.localTimezone;
    let it: ICAL.RecurIterator | null = null;
    try {
      it = fastForward(unbounded, local, reader.epochOf(anchor, zone), skipBefore) ?? unbounded.iterator(local);
    } catch {
      it = null; // a rule ical.js cannot iterate contributes nothing beyond DTSTART
    }
    const step = (): Candidate | null => {
      if (!it) return null;
      let t: ICAL.Time | null;
      try {
        t = it.next();
      } catch {
        t = null;
      }
      if (!t) return null;
      const time = wallTime(t); // `t` is the iterator's own, changed by the next step
      const epoch = reader.epochOf(time, zone);
      return epoch > untilEpoch ? null : { epoch, time, periodEnd: null };
    };
    const src: Source = {
      head: step(),
      advance() {
        const n = step();
        this.head = n;
        if (!n) it = null;
      },
    };
    return src;
  }
}

/** The length of one period of the frequencies fastForward can skip, in wall-clock seconds. */
const PERIOD_SECONDS: Record<string, number> = { SECONDLY: 1, MINUTELY: 60, HOURLY: 3600, DAILY: 86_400, WEEKLY: 7 * 86_400 };

/**
 * An iterator for `rule` that starts at a later occurrence instead of DTSTART, so a
 * query in 2035 over an hourly series begun in 2015 does not walk (or give up on,
 * at MAX_GENERATED) twenty years of hours. Only done where restarting is provably
 * the same series: SECONDLY to WEEKLY without COUNT or BYSETPOS (both depend on the
 * position from DTSTART), moved by whole periods of wall-clock time (as ical.js
 * steps), and only when DTSTART is itself an occurrence of the rule. The restart is
 * a day and two periods early, so a DST shift or instances of the restart period
 * before it do not matter.
 */
function fastForward(rule: ICAL.Recur, anchor: ICAL.Time, anchorEpoch: number, skipBefore: number): ICAL.RecurIterator | null {
  if (!Number.isFinite(skipBefore) || rule.count || rule.parts.BYSETPOS) return null;
  const unit = PERIOD_SECONDS[rule.freq];
  if (unit === undefined) return null;
  const periodMs = unit * 1000 * (rule.interval || 1);
  const periods = Math.floor((skipBefore - anchorEpoch - DAY_MS) / periodMs) - 2;
  if (periods < 2) return null;
  const first = rule.iterator(anchor).next();
  if (!first || first.compare(anchor) !== 0) return null;
  const start = anchor.clone();
  const seconds = periods * (periodMs / 1000);
  start.adjust(Math.floor(seconds / 86_400), 0, 0, seconds % 86_400);
  return rule.iterator(start);
}

const SETS = Symbol('sets');

/** The recurrence sets of one component type in an object, one per UID. */
export function recurrenceSets(reader: TimeReader, type: string): RecurrenceSet[] {
  let byType = reader.memo.get(SETS) as Map<string, RecurrenceSet[]> | undefined;
  if (!byType) reader.memo.set(SETS, (byType = new Map()));
  let sets = byType.get(type);
  if (!sets) {
    const byUid = new Map<string, ICAL.Component[]>();
    for (const c of reader.vcalendar.getAllSubcomponents(type.toLowerCase())) {
      const uid = String(c.getFirstPropertyValue('uid') ?? '');
      let list = byUid.get(uid);
      if (!list) byUid.set(uid, (list = []));
      list.push(c);
    }
    sets = [...byUid.values()].map((comps) => new RecurrenceSet(comps, reader));
    byType.set(type, sets);
  }
  return sets;
}

/**
 * Every instance of the object's components (VEVENT, VTODO, VJOURNAL, …) that
 * overlaps [lo, hi) per RFC 4791 §9.9, ordered by start. This is what
 * calendar-data expand returns, one component per instance, each charged to
 * `budget`. A set cut at MAX_GENERATED before `hi` is an ExpansionLimitError:
 * an expansion is complete or refused. In steps (tens of thousands of instances are
 * generated before `budget` refuses an endless minutely series): `finish` it, or
 * drive it with `paced`.
 */
export function* instancesOverlapping(reader: TimeReader, lo: number, hi: number, budget = new ExpansionBudget()): Steps<Instance[]> {
  const types = new Set(
    reader.vcalendar.getAllSubcomponents().map((c) => c.name.toUpperCase()).filter((n) => n !== 'VTIMEZONE' && !n.startsWith('X-')),
  );
  const out: Instance[] = [];
  for (const type of types) {
    for (const set of recurrenceSets(reader, type)) {
      const complete = yield* set.forEachInSteps(lo, hi, (inst) => {
        if (!overlaps(inst.shape, inst.delta, inst.periodEnd, lo, hi)) return;
        budget.charge(inst.comp);
        out.push(inst);
      });
      if (!complete) throw new ExpansionLimitError(`a recurrence makes more than ${MAX_GENERATED} instances before the end of the range`);
    }
  }
  const start = (i: Instance) => (i.shape.anchor ?? -Infinity) + i.delta;
  return out.sort((a, b) => start(a) - start(b));
}
