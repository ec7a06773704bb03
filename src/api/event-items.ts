import { parseStored } from '../ical/calendar-object.js';
import { cancelledInstance, eventResource, excludedInstances, type EventResource } from '../ical/event-json.js';
import { readerFor } from '../ical/reader.js';
import { recurrenceSets, type Instance, type RecurrenceId, type RecurrenceSet } from '../ical/recurrence.js';
import { HORIZON_MS } from '../ical/time-index.js';
import { overlaps, shapeOf } from '../ical/time-range.js';
import { floatingZone } from '../ical/timezones.js';
import type { StoredObject } from '../store/types.js';
import { decodeText } from '../text/decode.js';
import { badRequest } from './errors.js';
import { eventIdOfUri, instanceId, instanceStamp } from './event-ids.js';
import { WHOLE } from './page-token.js';

// The events one stored calendar object shows through the API: a single event; a
// series' master and its overrides; or, with singleEvents, every instance the series
// has in the window. Only VEVENTs are events: other members show nothing.

/** One event the object shows, rendered only when it is answered. */
export interface EventItem {
  id: string;
  /** The instance's recurrence id (epoch ms); WHOLE for a single event or a master. */
  rid: number;
  /** The same with its wall-clock value, for an instance. */
  recurrenceId: RecurrenceId | null;
  /** An instance the data overrides (a component with RECURRENCE-ID). */
  override: boolean;
  /** Epoch ms of its start, for orderBy=startTime. */
  start: number;
  cancelled: boolean;
  render(): EventResource;
}

export interface ItemOptions {
  singleEvents: boolean;
  /** Items must overlap [lo, hi); ±Infinity when open. */
  lo: number;
  hi: number;
  /** Instances EXDATE removes come back as cancelled instances (singleEvents only). */
  excludedAsCancelled: boolean;
  /** Only the instance with this id stamp (events.get of an instance); the window then only bounds expansion. */
  stamp?: string;
}

export interface ObjectContext {
  /** The calendar's CALDAV:calendar-timezone, which floating times are read in. */
  calendarTimezone: string | null;
  userEmail: string | null;
}

/**
 * A series without an end and without timeMax is expanded this far past the later of
 * now, its start and timeMin: the span the time index covers (time-index.ts).
 */
function expansionEnd(set: RecurrenceSet, options: ItemOptions): number {
  if (Number.isFinite(options.hi)) return options.hi;
  if (!set.infinite) return Infinity;
  const from = Math.max(Date.now(), set.anchorEpoch ?? -Infinity, options.lo);
  return from + HORIZON_MS;
}

const isCancelled = (i: Instance) => String(i.comp.getFirstPropertyValue('status') ?? '').toUpperCase() === 'CANCELLED';
const startOf = (i: Instance) => (i.shape.start ?? 0) + i.delta;

export function itemsOf(object: StoredObject, context: ObjectContext, options: ItemOptions): EventItem[] {
  const reader = readerFor(parseStored(decodeText(object.data)), floatingZone(context.calendarTimezone ?? undefined));
  const seriesId = eventIdOfUri(object.uri);
  const items: EventItem[] = [];
  const meta = <R extends string | undefined>(id: string, recurringEventId: R) => ({
    id, etag: object.etag, updated: object.modifiedAt, userEmail: context.userEmail, recurringEventId,
  });
  const add = (inst: Instance, recurrence: boolean) => {
    const id = inst.rid ? instanceId(seriesId, inst.rid) : seriesId;
    const m = meta(id, inst.rid ? seriesId : undefined);
    items.push({
      id, rid: inst.rid?.epoch ?? WHOLE, recurrenceId: inst.rid, override: inst.comp.hasProperty('recurrence-id'),
      start: startOf(inst), cancelled: isCancelled(inst), render: () => eventResource(reader, inst, m, recurrence),
    });
  };
  const bounded = Number.isFinite(options.lo) || Number.isFinite(options.hi);
  const inWindow = (inst: Instance) => !bounded || overlaps(inst.shape, inst.delta, inst.periodEnd, options.lo, options.hi);
  const wanted = (rid: RecurrenceId | null) => options.stamp === undefined || (rid !== null && instanceStamp(rid) === options.stamp);

  for (const set of recurrenceSets(reader, 'VEVENT')) {
    if (options.singleEvents) {
      const complete = set.forEach(options.lo, expansionEnd(set, options), (inst) => {
        if (wanted(inst.rid) && (options.stamp !== undefined || inWindow(inst))) add(inst, false);
      });
      if (!complete) throw badRequest('The series has too many instances in this range; narrow it with timeMin and timeMax', 'timeMax');
      if (options.excludedAsCancelled && set.master && set.recurring) {
        const master = set.master;
        for (const rid of excludedInstances(reader, master)) {
          if (!wanted(rid) || (options.stamp === undefined && (rid.epoch < options.lo || rid.epoch >= options.hi))) continue;
          const m = meta(instanceId(seriesId, rid), seriesId);
          items.push({
            id: m.id, rid: rid.epoch, recurrenceId: rid, override: false, start: rid.epoch, cancelled: true,
            render: () => cancelledInstance(reader, master, rid, m),
          });
        }
      }
    } else {
      if (set.master && options.stamp === undefined && masterShows(set, options, inWindow)) {
        add({ comp: set.master, shape: shapeOf(set.master, reader), delta: 0, periodEnd: null, rid: null }, true);
      }
      for (const o of set.overrides) {
        const inst: Instance = { comp: o.comp, shape: shapeOf(o.comp, reader), delta: 0, periodEnd: null, rid: o.rid };
        if (wanted(o.rid) && inWindow(inst)) add(inst, false);
      }
    }
  }
  return items.sort((a, b) => a.rid - b.rid);
}

/** Whether a master listed as a whole belongs in the window: one of its own instances overlaps it. */
function masterShows(set: RecurrenceSet, options: ItemOptions, inWindow: (i: Instance) => boolean): boolean {
  if (!Number.isFinite(options.lo) && !Number.isFinite(options.hi)) return true;
  let shows = false;
  set.forEach(options.lo, expansionEnd(set, options), (inst) => {
    shows = inst.comp === set.master && inWindow(inst);
    return shows;
  });
  return shows;
}
