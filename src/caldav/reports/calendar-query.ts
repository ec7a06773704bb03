import { CALDAV_NS } from '../../davcommon/namespaces.js';
import { queryReport } from '../../davcommon/query-report.js';
import { parseStored } from '../../ical/calendar-object.js';
import { matchesFilter } from '../../ical/filter.js';
import { objectsInRange } from '../../ical/time-index.js';
import type { CompFilter } from '../../ical/types.js';
import type { CollectionStore, IntervalMatch, StoredObject } from '../../store/types.js';
import { decodeText } from '../../text/decode.js';
import { EventLoopTurn } from '../../webdav/event-loop-turn.js';
import type { DavRequest } from '../../webdav/request.js';
import type { CollectionResource } from '../../webdav/resource.js';
import { qname } from '../../webdav/xml/names.js';
import { calendarKind } from '../kind.js';
import { calendarDataProperty } from '../calendar-data.js';
import { parseFilter, parseQueryTimezone } from '../query-xml.js';

/** Members read per lookup. */
const PAGE = 500;

/**
 * A filter that is nothing but a time-range on one component type: for candidates
 * an exact span of the time index matches, the index alone decides it.
 */
function plainTimeRange(filter: CompFilter): boolean {
  const [inner, ...more] = filter.compFilters;
  return (
    !filter.isNotDefined && !filter.timeRange && filter.propFilters.length === 0 && more.length === 0 &&
    inner !== undefined && !inner.isNotDefined && inner.timeRange !== undefined &&
    inner.propFilters.length === 0 && inner.compFilters.length === 0
  );
}

/**
 * Candidates: with a component time-range, the objects the time index (one span per
 * instance) finds overlapping it, each marked whether an exact span decides it;
 * with a component but no time-range (e.g. only a VALARM time-range below it), every
 * object of that component; otherwise every object. Only undecided ones are parsed.
 * `floatingTz` is the zone the query reads floating times in.
 */
async function* candidates(
  req: DavRequest, collection: CollectionResource, filter: CompFilter, floatingTz: string | undefined,
): AsyncIterable<Candidate[]> {
  const [inner, ...more] = filter.compFilters;
  const { store } = req;
  const { id } = collection.collection;
  if (inner && more.length === 0 && !inner.isNotDefined) {
    const range = inner.timeRange;
    if (range) yield* withData(store, id, await objectsInRange(store, id, inner.name, range, floatingTz ?? null));
    else yield* store.objectsOfComponent(id, inner.name);
    return;
  }
  yield* store.iterateObjects(id);
}

type Candidate = StoredObject & { decided?: boolean };

/** The matches' data, read a page at a time: a query's memory does not grow with its result. */
async function* withData(store: CollectionStore, collectionId: number, matches: IntervalMatch[]): AsyncIterable<Candidate[]> {
  for (let i = 0; i < matches.length; i += PAGE) {
    const page = matches.slice(i, i + PAGE);
    const objects = new Map((await store.getObjects(collectionId, page.map((m) => m.uri))).map((o) => [o.uri, o]));
    // A member deleted since the index was read is simply not reported.
    yield page.flatMap((m) => {
      const o = objects.get(m.uri);
      return o ? [{ ...o, decided: m.decided }] : [];
    });
  }
}

/** RFC 4791 §7.8 */
export const calendarQuery = queryReport({
  name: qname(CALDAV_NS, 'calendar-query'),
  kind: calendarKind,
  async *select(req, collection, body) {
    const filter = parseFilter(body);
    const fromIndex = plainTimeRange(filter);
    // The index placed floating times in the calendar's zone; a query in another zone
    // (RFC 4791 §9.8) gets them from the index within FLOATING_SLACK_MS and confirmed here.
    const floatingTz = parseQueryTimezone(body) ?? collection.collection.timezone ?? undefined;
    const turn = new EventLoopTurn();
    for await (const page of candidates(req, collection, filter, floatingTz)) {
      const matches: StoredObject[] = [];
      for (const o of page) {
        if ((fromIndex && o.decided === true) || matchesFilter(parseStored(decodeText(o.data)), filter, floatingTz)) matches.push(o);
        await turn.pause();
      }
      yield matches;
    }
  },
  properties: calendarDataProperty,
});
