// What a client does before uploading a calendar file to CalDAV: one resource per
// UID, each with the file's VCALENDAR properties (minus METHOD, which a stored
// object must not have), all VTIMEZONEs, and that UID's components.

import ICAL from 'ical.js';

export function splitForUpload(text: string): string[] {
  const root = ICAL.Component.fromString(text);
  if (root.name !== 'vcalendar') return [text];
  const timezones = root.getAllSubcomponents('vtimezone');
  const groups = new Map<string, ICAL.Component[]>();
  let anonymous = 0;
  for (const c of root.getAllSubcomponents()) {
    // X- components (Zimbra's X-UNKNOWN) belong to no UID; the server ignores them.
    if (c.name === 'vtimezone' || c.name.startsWith('x-')) continue;
    const uid = c.getFirstPropertyValue('uid');
    // Components without UID each go alone, so the server can say what is wrong.
    const key = uid === null ? `\0${anonymous++}` : String(uid);
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  if (groups.size <= 1 && !root.hasProperty('method')) return [text];
  return [...groups.values()].map((comps) => {
    const props = root.jCal[1].filter((p: unknown[]) => p[0] !== 'method');
    const part = new ICAL.Component(['vcalendar', props, [...timezones, ...comps].map((c) => c.jCal)]);
    return part.toString() + '\r\n';
  });
}
