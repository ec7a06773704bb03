// Typed forms of the CalDAV query language (RFC 4791 §9.7) and of calendar-data
// selection (§9.6). The CalDAV layer builds these from XML; this layer evaluates them
// against parsed iCalendar, so neither side needs to know the other's representation.

import type { ParamFilter } from '../text/param-filter.js';
import type { TextMatch } from '../text/text-match.js';

/** A UTC interval in epoch milliseconds; `null` is unbounded on that side. */
export interface TimeRange {
  start: number | null;
  end: number | null;
}

export interface PropFilter {
  name: string; // upper-case property name, e.g. "SUMMARY"
  isNotDefined: boolean;
  timeRange?: TimeRange;
  textMatch?: TextMatch;
  paramFilters: ParamFilter[];
}

export interface CompFilter {
  name: string; // upper-case component name, e.g. "VCALENDAR", "VEVENT"
  isNotDefined: boolean;
  timeRange?: TimeRange;
  propFilters: PropFilter[];
  compFilters: CompFilter[];
}

/** RFC 4791 §9.6 calendar-data request. `comp` absent = whole object. */
export interface CompSelection {
  name: string;
  allProps: boolean;
  props: { name: string; novalue: boolean }[];
  allComps: boolean;
  comps: CompSelection[];
}

export interface CalendarDataRequest {
  comp?: CompSelection;
  expand?: { start: number; end: number };
  limitRecurrenceSet?: { start: number; end: number };
  limitFreebusySet?: { start: number; end: number };
}

/** What the store needs to know about a calendar object resource. */
export interface CalendarObjectInfo {
  uid: string;
  /** The main component type of the resource: VEVENT, VTODO, VJOURNAL or VFREEBUSY. */
  componentType: string;
}
