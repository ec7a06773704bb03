import type { CalendarDataRequest, CompFilter, CompSelection, PropFilter, TimeRange } from '../ical/types.js';
import { CALDAV_NS } from '../davcommon/namespaces.js';
import { checkFilterContent, filterName, invalidFilter, parseParamFilter, parseTextMatch, type FilterContent } from '../davcommon/query-xml.js';
import { filterProblem } from '../ical/filter-structure.js';
import { validateTimezoneProperty } from '../ical/vtimezone-property.js';
import type { Collation } from '../text/text-match.js';
import { DavError } from '../webdav/errors.js';
import { qname } from '../webdav/xml/names.js';
import { child, childrenNamed, type XmlElement } from '../webdav/xml/parse.js';

// Reads the CalDAV query language (RFC 4791 §9) from XML into the typed forms the
// iCalendar layer evaluates.

const C = (local: string) => qname(CALDAV_NS, local);

const invalid = (message: string) => invalidFilter(CALDAV_NS, message);

// The element DTDs of RFC 4791 §9.7.
const FILTER: FilterContent = { allowed: ['comp-filter'] };
const COMP_FILTER: FilterContent = { allowed: ['is-not-defined', 'time-range', 'prop-filter', 'comp-filter'], atMostOne: [['time-range']] };
const PROP_FILTER: FilterContent = { allowed: ['is-not-defined', 'time-range', 'text-match', 'param-filter'], atMostOne: [['time-range', 'text-match']] };

/** An iCalendar UTC date-time "20240101T000000Z" as epoch ms. */
export function parseUtc(value: string | undefined, what: string): number | null {
  if (value === undefined) return null;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value.trim());
  if (!m) throw invalid(`${what} must be a UTC date-time like 20240101T000000Z, got "${value}"`);
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
}

function timeRange(el: XmlElement | undefined): TimeRange | undefined {
  if (!el) return undefined;
  const range = { start: parseUtc(el.attrs.start, 'time-range start'), end: parseUtc(el.attrs.end, 'time-range end') };
  // RFC 4791 §9.9 makes one of the two mandatory: an element without either is a
  // malformed request (400), still naming the precondition so clients see which part.
  if (range.start === null && range.end === null) throw new DavError(400, 'time-range needs start or end', C('valid-filter'));
  if (range.start !== null && range.end !== null && range.end <= range.start) throw invalid('time-range end must be after start');
  return range;
}

/** CalDAV's text-match: i;ascii-casemap unless the client names another (RFC 4791 §7.5.1). */
const DEFAULT_COLLATION: Collation = 'i;ascii-casemap';

function propFilter(el: XmlElement): PropFilter {
  checkFilterContent(el, CALDAV_NS, PROP_FILTER);
  return {
    name: filterName(el, CALDAV_NS),
    isNotDefined: child(el, C('is-not-defined')) !== undefined,
    timeRange: timeRange(child(el, C('time-range'))),
    textMatch: parseTextMatch(child(el, C('text-match')), CALDAV_NS, DEFAULT_COLLATION),
    paramFilters: childrenNamed(el, C('param-filter')).map((p) => parseParamFilter(p, CALDAV_NS, DEFAULT_COLLATION)),
  };
}

function compFilter(el: XmlElement): CompFilter {
  checkFilterContent(el, CALDAV_NS, COMP_FILTER);
  return {
    name: filterName(el, CALDAV_NS),
    isNotDefined: child(el, C('is-not-defined')) !== undefined,
    timeRange: timeRange(child(el, C('time-range'))),
    propFilters: childrenNamed(el, C('prop-filter')).map(propFilter),
    compFilters: childrenNamed(el, C('comp-filter')).map(compFilter),
  };
}

/** The filter of a calendar-query: exactly one comp-filter, for VCALENDAR. */
export function parseFilter(query: XmlElement): CompFilter {
  const filter = child(query, C('filter'));
  if (!filter) throw invalid('calendar-query needs a filter');
  checkFilterContent(filter, CALDAV_NS, FILTER);
  const comps = childrenNamed(filter, C('comp-filter'));
  if (comps.length !== 1 || comps[0]!.attrs.name?.toUpperCase() !== 'VCALENDAR') {
    throw invalid('The filter must hold exactly one comp-filter named VCALENDAR');
  }
  const parsed = compFilter(comps[0]!);
  const problem = filterProblem(parsed);
  if (problem) throw invalid(problem);
  return parsed;
}

/**
 * The time zone a calendar-query reads floating times in, when it names one (RFC 4791
 * §9.8 CALDAV:timezone, §7.3): a VCALENDAR holding one VTIMEZONE, else it fails the
 * valid-calendar-data precondition (§7.8). Absent, the calendar's calendar-timezone applies.
 */
export function parseQueryTimezone(query: XmlElement): string | undefined {
  const el = child(query, C('timezone'));
  if (!el) return undefined;
  const problem = validateTimezoneProperty(el.text);
  if (problem) throw new DavError(403, `timezone: ${problem}`, C('valid-calendar-data'));
  return el.text;
}

function compSelection(el: XmlElement): CompSelection {
  return {
    name: filterName(el, CALDAV_NS),
    allProps: child(el, C('allprop')) !== undefined,
    props: childrenNamed(el, C('prop')).map((p) => ({ name: filterName(p, CALDAV_NS), novalue: p.attrs.novalue === 'yes' })),
    allComps: child(el, C('allcomp')) !== undefined,
    comps: childrenNamed(el, C('comp')).map(compSelection),
  };
}

function range(el: XmlElement | undefined, what: string): { start: number; end: number } | undefined {
  if (!el) return undefined;
  const start = parseUtc(el.attrs.start, `${what} start`);
  const end = parseUtc(el.attrs.end, `${what} end`);
  if (start === null || end === null || end <= start) throw invalid(`${what} needs start and end, end after start`);
  return { start, end };
}

/**
 * The calendar-data element of a report's prop: which parts of the data to return.
 * Only iCalendar 2.0, the DTD's defaults, can be returned (RFC 4791 §9.6, §7.8
 * supported-calendar-data).
 */
export function parseCalendarDataRequest(el: XmlElement): CalendarDataRequest {
  const contentType = (el.attrs['content-type'] ?? 'text/calendar').split(';')[0]!.trim().toLowerCase();
  const version = (el.attrs.version ?? '2.0').trim();
  if (contentType !== 'text/calendar' || version !== '2.0') {
    throw new DavError(403, `calendar-data ${contentType} version ${version} is not supported (text/calendar 2.0)`, C('supported-calendar-data'));
  }
  const comp = child(el, C('comp'));
  return {
    comp: comp ? compSelection(comp) : undefined,
    expand: range(child(el, C('expand')), 'expand'),
    limitRecurrenceSet: range(child(el, C('limit-recurrence-set')), 'limit-recurrence-set'),
    limitFreebusySet: range(child(el, C('limit-freebusy-set')), 'limit-freebusy-set'),
  };
}
