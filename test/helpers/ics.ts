/** A small VCALENDAR with one component, CRLF line endings; `lines` go inside the component. */
export function ics(uid: string, lines: string[], component = 'VEVENT', extra = ''): string {
  return [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Davenport tests//EN',
    `BEGIN:${component}`, `UID:${uid}`, 'DTSTAMP:20240101T000000Z', ...lines, `END:${component}`,
    ...(extra ? [extra] : []),
    'END:VCALENDAR', '',
  ].join('\r\n');
}

export function event(uid: string, start: string, end: string, more: string[] = []): string {
  return ics(uid, [`DTSTART:${start}`, `DTEND:${end}`, `SUMMARY:Event ${uid}`, ...more]);
}
