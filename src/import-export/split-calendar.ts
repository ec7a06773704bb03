// An iCalendar file (an export of a whole calendar, Outlook's included) as calendar
// object resources: one per UID, holding every component of that UID (the series and
// its overrides), the VTIMEZONEs they use and the file's calendar properties but METHOD
// (an export's METHOD:PUBLISH is not allowed in a stored object, RFC 4791 §4.1).
//
// Content lines are read by ical.js with a design set that knows no value types, so
// every value is written out as the file has it (ical.js's typed readers and writers
// are not lossless, e.g. for a DATE written without VALUE=DATE); each object is then
// validated like a PUT before it is stored.

import ICAL from 'ical.js';
import { repairText } from '../ical/lenient.js';
import { derivedUid } from './derived-uid.js';
import { ImportError } from './report.js';

type JProp = [string, Record<string, unknown>, string, ...unknown[]];
type JComp = [string, JProp[], JComp[]];

export interface CalendarItem {
  uid: string;
  text: string;
}

const BARE = ['vevent', 'vtodo', 'vjournal'];
const VERBATIM: ReturnType<typeof ICAL.design.getDesignSet> = { value: {}, param: {}, property: {}, propertyGroups: false };
const DEFAULT_PROPS: JProp[] = [['version', {}, 'unknown', '2.0'], ['prodid', {}, 'unknown', '-//Davenport//Import//EN']];

/** The top-level components of the text, nested by their BEGIN and END lines, values as written. */
function readComponents(text: string): JComp[] {
  const roots: JComp[] = [];
  const open: JComp[] = [];
  ICAL.parse._eachLine(text, (_err, line) => {
    const begin = /^BEGIN:(.+)$/i.exec(line);
    if (begin) {
      const comp: JComp = [begin[1]!.trim().toLowerCase(), [], []];
      (open.at(-1)?.[2] ?? roots).push(comp);
      open.push(comp);
    } else if (/^END:/i.test(line)) {
      open.pop();
    } else if (open.length > 0) {
      open.at(-1)![1].push(ICAL.parse.property(line, VERBATIM) as JProp);
    }
  });
  return roots;
}

/** The VCALENDARs of the file (exports sometimes hold several, one after another). */
function calendarsOf(text: string): JComp[] {
  const clean = text.replace(/^\uFEFF/, '');
  let roots: JComp[];
  try {
    roots = readComponents(clean);
  } catch (e) {
    // What real clients write and ical.js refuses (Evolution's bare parameters), repaired as at PUT.
    const repaired = repairText(clean);
    try {
      if (repaired === null) throw e;
      roots = readComponents(repaired);
    } catch {
      throw new ImportError(`the file is not valid iCalendar: ${(e as Error).message.slice(0, 200)}`);
    }
  }
  const calendars = roots.filter((r) => r[0] === 'vcalendar');
  if (calendars.length > 0) return calendars;
  // A bare VEVENT or VTODO (Evolution and khal save single events so): as if in a VCALENDAR.
  if (roots.some((r) => BARE.includes(r[0]))) return [['vcalendar', [], roots]];
  throw new ImportError('the file holds no VCALENDAR');
}

/** The TZIDs the properties of a component and its subcomponents (alarms) refer to. */
function tzidsOf(comp: JComp, into: Set<string>): void {
  for (const [, params] of comp[1]) if (typeof params.tzid === 'string') into.add(params.tzid);
  for (const sub of comp[2]) tzidsOf(sub, into);
}

function valueOf(comp: JComp, name: string): string | undefined {
  const value = comp[1].find((p) => p[0] === name)?.[3];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** One text per UID, in the order the UIDs first appear in the file. */
export function splitCalendar(text: string): CalendarItem[] {
  const groups = new Map<string, { props: JProp[]; comps: JComp[]; timezones: Map<string, JComp> }>();
  for (const [, props, comps] of calendarsOf(text)) {
    const calendarProps = props.filter((p) => p[0] !== 'method');
    for (const required of DEFAULT_PROPS) if (!calendarProps.some((p) => p[0] === required[0])) calendarProps.push(required);
    const timezones = new Map<string, JComp>();
    for (const c of comps) {
      const tzid = c[0] === 'vtimezone' ? valueOf(c, 'tzid') : undefined;
      if (tzid !== undefined) timezones.set(tzid, c);
    }
    for (const comp of comps) {
      // Time zones go with the objects that use them; X- components belong to no object.
      if (comp[0] === 'vtimezone' || comp[0].startsWith('x-')) continue;
      let uid = valueOf(comp, 'uid');
      if (uid === undefined) {
        uid = derivedUid(JSON.stringify(comp));
        comp[1].push(['uid', {}, 'unknown', uid]);
      }
      const group = groups.get(uid) ?? { props: calendarProps, comps: [], timezones };
      group.comps.push(comp);
      groups.set(uid, group);
    }
  }
  return [...groups].map(([uid, { props, comps, timezones }]) => {
    const used = new Set<string>();
    for (const c of comps) tzidsOf(c, used);
    const zones = [...used].map((tzid) => timezones.get(tzid)).filter((z) => z !== undefined);
    return { uid, text: `${ICAL.stringify.component(['vcalendar', props, [...zones, ...comps]], VERBATIM)}\r\n` };
  });
}
