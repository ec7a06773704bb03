import assert from 'node:assert/strict';
import ICAL from 'ical.js';
import { hashPassword } from '../../src/http/auth.js';
import { addUser } from '../../src/accounts/accounts.js';
import type { TestServer, TestUser } from './server.js';
import { c, d, multistatus, propfindBody, propText } from './xml.js';

// Scheduling tests' shared steps: a third user, reading a user's copies and inbox, and
// invitations in the shapes Apple Calendar and Thunderbird write.

export const CAROL: TestUser = { name: 'carol', password: 'carol-secret' };

export async function addCarol(s: TestServer): Promise<void> {
  await addUser(s.server.dav, { name: CAROL.name, passwordHash: await hashPassword(CAROL.password), email: 'carol@example.com', displayName: 'Carol' });
}

export const asUser = (name: string): TestUser => ({ name, password: `${name}-secret` });

export interface Member {
  href: string;
  etag: string;
  data: string;
}

/** The members of a collection with their data. */
export async function membersOf(s: TestServer, user: TestUser, path: string): Promise<Member[]> {
  const r = await s.request('PROPFIND', path, { user, headers: { Depth: '1' }, body: propfindBody('<D:getetag/><C:calendar-data/>') });
  assert.equal(r.status, 207, `PROPFIND ${path}: ${r.status} ${r.text}`);
  return [...multistatus(r.text)]
    .filter(([href]) => href !== path)
    .map(([href, m]) => ({ href, etag: propText(m, d('getetag')) ?? '', data: propText(m, c('calendar-data')) ?? '' }))
    .filter((m) => m.data !== '');
}

/** The user's calendars (not the inbox). */
export async function calendarsOf(s: TestServer, user: TestUser): Promise<string[]> {
  const home = `/dav/calendars/${user.name}/`;
  const r = await s.request('PROPFIND', home, { user, headers: { Depth: '1' }, body: propfindBody('<D:resourcetype/>') });
  return [...multistatus(r.text)]
    .filter(([, m]) => m.props.get(d('resourcetype'))?.el.children.some((x) => x.name === c('calendar')))
    .map(([href]) => href);
}

/** The user's copy of the event with this UID, in whichever calendar it is. */
export async function copyOf(s: TestServer, user: TestUser, uid: string): Promise<Member | undefined> {
  for (const calendar of await calendarsOf(s, user)) {
    const found = (await membersOf(s, user, calendar)).find((m) => m.data.includes(`UID:${uid}`));
    if (found) return found;
  }
  return undefined;
}

/** The iTIP messages in the user's inbox about this UID, by METHOD. */
export async function inboxMessages(s: TestServer, user: TestUser, uid: string): Promise<string[]> {
  const messages = await membersOf(s, user, `/dav/calendars/${user.name}/inbox/`);
  return messages.filter((m) => m.data.includes(`UID:${uid}`)).map((m) => /METHOD:(\w+)/.exec(m.data)?.[1] ?? '?');
}

/** A parameter of the ATTENDEE (or ORGANIZER) with this address, in the component with this RECURRENCE-ID ('' = master). */
export function paramOf(data: string, address: string, param: string, recurrenceId = '', property = 'attendee'): string | undefined {
  const vcalendar = new ICAL.Component(ICAL.parse(data) as unknown[]);
  const comp = vcalendar.getAllSubcomponents('vevent').find((v) => String(v.getFirstPropertyValue('recurrence-id') ?? '') === recurrenceId);
  const prop = comp?.getAllProperties(property).find((p) => String(p.getFirstValue()).toLowerCase() === address.toLowerCase());
  const value = prop?.getParameter(param);
  return value === undefined ? undefined : String(value);
}

/** A property value of the component with this RECURRENCE-ID. */
export function valueOf(data: string, name: string, recurrenceId = ''): string | undefined {
  const vcalendar = new ICAL.Component(ICAL.parse(data) as unknown[]);
  const comp = vcalendar.getAllSubcomponents('vevent').find((v) => String(v.getFirstPropertyValue('recurrence-id') ?? '') === recurrenceId);
  const v = comp?.getFirstPropertyValue(name);
  return v == null ? undefined : String(v);
}

export interface Invitation {
  uid: string;
  attendees: string[];
  start?: string;
  end?: string;
  sequence?: number;
  /** Lines added to the master VEVENT. */
  extra?: string[];
  /** Further VEVENTs (overrides), each as its lines. */
  overrides?: string[][];
  /** Parameters before the address, per attendee address. */
  attendeeParams?: Record<string, string>;
}

/** An invitation as Apple Calendar writes it (organizer as an ATTENDEE too, CN and CUTYPE on each). */
export function appleInvitation(i: Invitation): string {
  const attendee = (a: string) => `ATTENDEE;CN="${a.slice(7)}";CUTYPE=INDIVIDUAL;${i.attendeeParams?.[a] ?? ''}PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:${a}`;
  const vevent = (lines: string[]) => ['BEGIN:VEVENT', `UID:${i.uid}`, 'DTSTAMP:20240101T000000Z', ...lines, 'END:VEVENT'];
  return [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Apple Inc.//macOS 14.0//EN', 'CALSCALE:GREGORIAN',
    ...vevent([
      `DTSTART:${i.start ?? '20240610T090000Z'}`, `DTEND:${i.end ?? '20240610T100000Z'}`, `SEQUENCE:${i.sequence ?? 0}`, 'SUMMARY:Planning',
      'ORGANIZER;CN="Alice Example";EMAIL="alice@example.com":mailto:alice@example.com',
      'ATTENDEE;CN="Alice Example";CUTYPE=INDIVIDUAL;EMAIL="alice@example.com";PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:alice@example.com',
      ...i.attendees.map(attendee), ...(i.extra ?? []),
    ]),
    ...(i.overrides ?? []).flatMap(vevent),
    'END:VCALENDAR', '',
  ].join('\r\n');
}

/** An invitation as Thunderbird writes it (X-MOZ properties, RSVP=FALSE on the organizer). */
export function thunderbirdInvitation(i: Invitation): string {
  return [
    'BEGIN:VCALENDAR', 'PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN', 'VERSION:2.0',
    'BEGIN:VEVENT', `UID:${i.uid}`, 'CREATED:20240101T000000Z', 'LAST-MODIFIED:20240101T000000Z', 'DTSTAMP:20240101T000000Z',
    'SUMMARY:Review', 'ORGANIZER;RSVP=FALSE;CN=Alice;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:alice@example.com',
    ...i.attendees.map((a) => `ATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT:${a}`),
    `DTSTART:${i.start ?? '20240611T140000Z'}`, `DTEND:${i.end ?? '20240611T150000Z'}`, `SEQUENCE:${i.sequence ?? 0}`,
    'X-MOZ-SEND-INVITATIONS:TRUE', 'X-MOZ-SEND-INVITATIONS-UNDISCLOSED:FALSE', ...(i.extra ?? []),
    'END:VEVENT', 'END:VCALENDAR', '',
  ].join('\r\n');
}

/** The data with a parameter of the attendee set in every component, as a client writes it back. */
export function withParam(data: string, address: string, param: string, value: string): string {
  const vcalendar = new ICAL.Component(ICAL.parse(data) as unknown[]);
  for (const comp of vcalendar.getAllSubcomponents('vevent')) {
    const prop = comp.getAllProperties('attendee').find((p) => String(p.getFirstValue()).toLowerCase() === address.toLowerCase());
    prop?.setParameter(param, value);
  }
  return vcalendar.toString();
}

/** A copy with the attendee's PARTSTAT changed. */
export const withPartstat = (data: string, address: string, partstat: string) => withParam(data, address, 'partstat', partstat);
