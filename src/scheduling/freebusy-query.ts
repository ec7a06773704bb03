import { CALDAV_NS } from '../davcommon/namespaces.js';
import { ExpansionLimitError } from '../ical/expansion-budget.js';
import { isAddressOf } from './addresses.js';
import { renderFreeBusy } from './freebusy-ical.js';
import { calendarBusy, freeBusyBudget } from './freebusy.js';
import { mergeBusy } from './freebusy-periods.js';
import type { ReportDef } from '../webdav/dav.js';
import { DavError } from '../webdav/errors.js';
import type { CollectionResource, Resource } from '../webdav/resource.js';
import { dav, qname } from '../webdav/xml/names.js';
import { calendarKind } from '../caldav/kind.js';
import { parseUtc } from '../caldav/query-xml.js';

const C = (local: string) => qname(CALDAV_NS, local);

/**
 * RFC 4791 §7.10: the busy time of one calendar's events and VFREEBUSY components in
 * the time-range, as one VFREEBUSY. The calendar is the scope whatever the Depth
 * (clients send 0 and 1 alike); its schedule-calendar-transp does not apply, since the
 * client asked about this calendar by name.
 */
export const freeBusyQuery: ReportDef<CollectionResource> = {
  name: C('free-busy-query'),
  appliesTo: (r: Resource): r is CollectionResource => r.type === 'collection' && r.kind === calendarKind,
  async handle(req, resource, body) {
    const ranges = body.children.filter((c) => c.name === C('time-range'));
    if (ranges.length !== 1) throw new DavError(400, 'free-busy-query holds exactly one time-range');
    const range = ranges[0]!;
    const start = parseUtc(range.attrs.start, 'time-range start');
    const end = parseUtc(range.attrs.end, 'time-range end');
    if (start === null || end === null || end <= start) throw new DavError(400, 'free-busy-query needs a time-range with start and end, end after start');
    try {
      const owner = { isOwnAddress: (address: string) => isAddressOf(resource.owner, address) };
      const periods = await calendarBusy(req.store, resource.collection, start, end, freeBusyBudget(), owner);
      req.respond(200, renderFreeBusy({ start, end, periods: mergeBusy(periods, start, end) }), 'text/calendar; charset=utf-8');
    } catch (e) {
      if (e instanceof ExpansionLimitError) throw new DavError(507, `Free-busy time not computed: ${e.message}`, dav('number-of-matches-within-limits'));
      throw e;
    }
  },
};
