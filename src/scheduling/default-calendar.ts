import { calendarKind, componentsOf } from '../caldav/kind.js';
import { CALDAV_NS } from '../davcommon/namespaces.js';
import type { Collection, PropertyOwner, StoreSession, User } from '../store/types.js';
import type { ChangeListener } from '../webdav/changes.js';
import type { DavContext } from '../webdav/context.js';
import { DavError } from '../webdav/errors.js';
import type { RequestLimits } from '../webdav/limits.js';
import { collectionPath, hrefToPath, homePath } from '../webdav/paths.js';
import type { GuardedProperty } from '../webdav/properties.js';
import type { Resource } from '../webdav/resource.js';
import { dav, qname } from '../webdav/xml/names.js';
import { child, parseXml, type XmlElement } from '../webdav/xml/parse.js';
import { escapeXml } from '../webdav/xml/write.js';
import { inboxKind, inboxOf } from './inbox.js';

// schedule-default-calendar-URL (RFC 6638 §9.2): where invitations to the user land.
// Kept as a dead property of the inbox (where RFC 6638 and CalDAVTester look for it) and
// of the principal (where sabre and some clients look), always both at once.

const NAME = 'schedule-default-calendar-URL';
const QNAME = qname(CALDAV_NS, NAME);
const principalOwner = (user: User): PropertyOwner => ({ userId: user.id, resource: 'principal' });

function storedXml(path: string): string {
  return `<${NAME} xmlns="${CALDAV_NS}"><href xmlns="DAV:">${escapeXml(path)}</href></${NAME}>`;
}

async function setDefault(tx: StoreSession, user: User, calendar: Collection | undefined): Promise<void> {
  const inbox = await inboxOf(tx, user);
  const owners: PropertyOwner[] = [{ collectionId: inbox.id, objectUri: '' }, principalOwner(user)];
  for (const owner of owners) {
    if (calendar) {
      const xml = storedXml(collectionPath(calendarKind.homeSegment, user.username, calendar.uri));
      await tx.setDeadProperty(owner, { namespace: CALDAV_NS, name: NAME, xml });
    } else {
      await tx.removeDeadProperty(owner, CALDAV_NS, NAME);
    }
  }
}

/** The calendar uri the stored property names, if any. */
async function storedDefaultUri(tx: StoreSession, user: User, limits: RequestLimits): Promise<string | undefined> {
  const prop = (await tx.getDeadProperties(principalOwner(user))).find((p) => p.namespace === CALDAV_NS && p.name === NAME);
  if (!prop) return undefined;
  const href = child(parseXml(prop.xml, limits), dav('href'))?.text;
  return href === undefined ? undefined : calendarUriOf(user, href);
}

/** The uri of a calendar in the user's calendar home that `href` names, or undefined. */
function calendarUriOf(user: User, href: string): string | undefined {
  const home = homePath(calendarKind.homeSegment, user.username);
  const path = hrefToPath(href.trim());
  if (!path.startsWith(home)) return undefined;
  const rest = path.slice(home.length).replace(/\/$/, '');
  if (rest === '' || rest.includes('/')) return undefined;
  try {
    return decodeURIComponent(rest);
  } catch {
    return undefined;
  }
}

/** The PROPPATCH rule: only one of the user's own calendars may be the default (§9.2 valid-schedule-default-calendar-URL). */
export function defaultCalendarProperty(): GuardedProperty {
  return {
    name: QNAME,
    appliesTo: (r: Resource) => r.type === 'principal' || (r.type === 'collection' && r.kind === inboxKind),
    async write(tx, r, value: XmlElement | undefined) {
      if (r.type !== 'principal' && r.type !== 'collection') return;
      const user = r.owner;
      if (!value) return setDefault(tx, user, undefined);
      const href = child(value, dav('href'))?.text;
      const uri = href === undefined ? undefined : calendarUriOf(user, href);
      const calendar = uri === undefined ? undefined : await tx.getCollection(user.id, calendarKind.name, uri);
      if (!calendar || calendar.generator) {
        throw new DavError(403, 'schedule-default-calendar-URL must name one of your calendars', qname(CALDAV_NS, 'valid-schedule-default-calendar-URL'));
      }
      await setDefault(tx, user, calendar);
    },
  };
}

/**
 * The calendar a new invitation for `user` goes into: the default if it takes the
 * component, else the first calendar that does, else a new one made for it (CalDAVTester
 * implicitdefaultcalendar: an attendee without a calendar still gets the invitation).
 */
export async function defaultCalendarFor(tx: StoreSession, user: User, component: string, limits: RequestLimits): Promise<Collection> {
  const takes = (c: Collection) => !c.generator && componentsOf(c).includes(component);
  const uri = await storedDefaultUri(tx, user, limits);
  const chosen = uri === undefined ? undefined : await tx.getCollection(user.id, calendarKind.name, uri);
  if (chosen && takes(chosen)) return chosen;
  const other = (await tx.listCollections(user.id, calendarKind.name)).find(takes);
  if (other) return other;
  const name = `scheduled-${component.toLowerCase()}`;
  const made = (await tx.createCollection(user.id, calendarKind.name, name, { displayname: 'Calendar', components: component }))
    ?? (await tx.getCollection(user.id, calendarKind.name, name))!;
  if (!chosen) await setDefault(tx, user, made);
  return made;
}

/**
 * Keeps the property pointing at a calendar (§9.2): the user's first calendar becomes the
 * default, a moved default is followed to its new name, a deleted one gives way to another.
 */
export function followDefaultCalendar(context: Pick<DavContext, 'limits'>): ChangeListener {
  return async (tx, change) => {
    if (change.what !== 'collection' || change.collection.kind !== calendarKind.name || change.collection.generator) return;
    const user = await tx.getUserById(change.collection.ownerId);
    if (!user) return;
    const uri = await storedDefaultUri(tx, user, context.limits);
    if (change.deleting) {
      if (uri !== change.collection.uri) return;
      const next = (await tx.listCollections(user.id, calendarKind.name)).find((c) => c.id !== change.collection.id && !c.generator);
      await setDefault(tx, user, next);
    } else if (uri === undefined) {
      await setDefault(tx, user, change.collection);
    } else if (uri !== change.collection.uri && !(await tx.getCollection(user.id, calendarKind.name, uri))) {
      // The default no longer exists under its name, and this calendar was just renamed: it was the default.
      await setDefault(tx, user, change.collection);
    }
  };
}
