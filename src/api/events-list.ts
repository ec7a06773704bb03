import type { EventResource } from '../ical/event-json.js';
import { objectsInRange } from '../ical/time-index.js';
import type { StoredObject, User } from '../store/types.js';
import type { Dav } from '../webdav/dav.js';
import type { CollectionResource } from '../webdav/resource.js';
import { calendarSummary } from './calendar-resource.js';
import { eventIdOfUri } from './event-ids.js';
import { itemsOf, type EventItem } from './event-items.js';
import { objectContext } from './event-lookup.js';
import { compareKeys, pageTokenOf, parsePageToken, WHOLE, type ItemKey, type PageState } from './page-token.js';
import { fullSyncRequired, parseSyncToken, syncTokenOf } from './sync-token.js';

// events.list and events.instances. Costs, per page answered:
// - URI order (no orderBy), full list: the member list is read (metadata only) from the
//   page's position on, and the data of only as many members as the page needs, PAGE at
//   a time: memory holds one store page, never the calendar.
// - timeMin/timeMax: the time index gives the candidates' URIs (no data), then as above.
// - orderBy (startTime/updated): every candidate is read PAGE at a time and expanded to
//   keep one small key per event; the keys are sorted and only the page's members are
//   read again to answer. Memory: one key per listed event.
// - syncToken: one range scan of the change log since the token, then the changed
//   members' data PAGE at a time: O(changes).
// Members deleted from the calendar show up (cancelled) only in incremental syncs, which
// read the change log; a full listing with showDeleted shows cancelled events and the
// instances a series excludes, not deleted members.

/** Members whose data is read per lookup. */
const PAGE = 100;

export interface ListQuery {
  maxResults: number;
  singleEvents: boolean;
  showDeleted: boolean;
  orderBy?: 'startTime' | 'updated';
  /** [lo, hi): the window events must overlap; ±Infinity when open. */
  lo: number;
  hi: number;
  /** Lower-cased terms that must all occur in the event's text. */
  terms: string[];
  iCalUID?: string;
  /** events.instances: only this member's series. */
  seriesUri?: string;
  updatedMin?: number;
  syncToken?: string;
  pageToken?: string;
}

export interface EventsPage {
  kind: 'calendar#events';
  etag: string;
  summary: string;
  description?: string;
  updated: string;
  timeZone: string;
  accessRole: 'owner' | 'reader';
  defaultReminders: [];
  nextPageToken?: string;
  nextSyncToken?: string;
  items: EventResource[];
}

/** An event in a listing's order, rendered. */
type Listed = [ItemKey, EventResource];

function matchesTerms(event: EventResource, terms: string[]): boolean {
  if (terms.length === 0) return true;
  const text = [event.summary, event.description, event.location, ...(event.attendees ?? []).flatMap((a) => [a.email, a.displayName])]
    .filter((t) => t !== undefined)
    .join('\n')
    .toLowerCase();
  return terms.every((t) => text.includes(t));
}

class Listing {
  readonly id: number;
  readonly state: Omit<PageState, 'after'> & { after: ItemKey | null };

  constructor(
    private readonly dav: Dav,
    private readonly collection: CollectionResource,
    private readonly user: User,
    private readonly query: ListQuery,
  ) {
    const { id, synctoken } = collection.collection;
    this.id = id;
    if (query.pageToken !== undefined) {
      this.state = parsePageToken(query.pageToken, id);
    } else {
      const since = query.syncToken === undefined ? null : parseSyncToken(query.syncToken, id, synctoken);
      this.state = { collectionId: id, snapshot: synctoken, since, after: null };
    }
  }

  private after(key: ItemKey): boolean {
    return this.state.after === null || compareKeys(key, this.state.after) > 0;
  }

  /** Google lists cancelled events only when asked, in a sync, or as exceptions of a listed series. */
  private shows(item: EventItem, incremental: boolean): boolean {
    return !item.cancelled || incremental || this.query.showDeleted || (!this.query.singleEvents && item.rid !== WHOLE);
  }

  private items(object: StoredObject, window: boolean): EventItem[] {
    const q = this.query;
    return itemsOf(object, objectContext(this.collection, this.user), {
      singleEvents: q.singleEvents,
      lo: window ? q.lo : -Infinity,
      hi: window ? q.hi : Infinity,
      excludedAsCancelled: q.singleEvents && (q.showDeleted || !window),
    });
  }

  /** The data of `uris`, PAGE at a time, in the order given. */
  private async *objects(uris: AsyncIterable<string[]>): AsyncIterable<StoredObject> {
    for await (const page of uris) {
      for (let i = 0; i < page.length; i += PAGE) {
        const chunk = page.slice(i, i + PAGE);
        const found = new Map((await this.dav.store.getObjects(this.id, chunk)).map((o) => [o.uri, o]));
        for (const uri of chunk) {
          const o = found.get(uri);
          if (o) yield o;
        }
      }
    }
  }

  /** The candidate members' URIs in URI order, from `from` on. */
  private async *candidateUris(from: string): AsyncIterable<string[]> {
    const { store } = this.dav;
    const q = this.query;
    if (q.seriesUri !== undefined) {
      if (q.seriesUri >= from) yield [q.seriesUri];
    } else if (q.iCalUID !== undefined) {
      const uri = await store.findUriByUid(this.id, q.iCalUID);
      if (uri !== undefined && uri >= from) yield [uri];
    } else if (Number.isFinite(q.lo) || Number.isFinite(q.hi)) {
      const range = { start: Number.isFinite(q.lo) ? q.lo : null, end: Number.isFinite(q.hi) ? q.hi : null };
      const matches = await objectsInRange(store, this.id, 'VEVENT', range, this.collection.collection.timezone);
      yield matches.map((m) => m.uri).filter((uri) => uri >= from);
    } else {
      for await (const page of store.listObjects(this.id, from)) {
        yield page.filter((o) => o.component === 'VEVENT').map((o) => o.uri);
      }
    }
  }

  /** The full listing's events in URI order (and instance order within a member), each with its key. */
  private async *byUri(from: string): AsyncIterable<{ object: StoredObject; item: EventItem }> {
    const q = this.query;
    for await (const object of this.objects(this.candidateUris(from))) {
      if (q.updatedMin !== undefined && object.modifiedAt < q.updatedMin) continue;
      for (const item of this.items(object, true)) if (this.shows(item, false)) yield { object, item };
    }
  }

  private async *uriOrder(): AsyncIterable<Listed> {
    for await (const { object, item } of this.byUri(this.state.after?.[1] ?? '')) {
      const key: ItemKey = [0, object.uri, item.rid];
      if (!this.after(key)) continue;
      const event = item.render();
      if (matchesTerms(event, this.query.terms)) yield [key, event];
    }
  }

  /** Sorted listings: keys of every match first, then only the page's members are read again. */
  private async *sortedOrder(orderBy: 'startTime' | 'updated'): AsyncIterable<Listed> {
    const keys: ItemKey[] = [];
    for await (const { object, item } of this.byUri('')) {
      const key: ItemKey = [orderBy === 'startTime' ? item.start : object.modifiedAt, object.uri, item.rid];
      if (this.after(key) && (this.query.terms.length === 0 || matchesTerms(item.render(), this.query.terms))) keys.push(key);
    }
    keys.sort(compareKeys);
    for (let i = 0; i < keys.length; i += PAGE) {
      const chunk = keys.slice(i, i + PAGE);
      const uris = [...new Set(chunk.map((k) => k[1]))];
      const objects = new Map((await this.dav.store.getObjects(this.id, uris)).map((o) => [o.uri, o]));
      const rendered = new Map<string, EventItem>();
      for (const o of objects.values()) for (const item of this.items(o, true)) rendered.set(`${o.uri}\n${item.rid}`, item);
      for (const key of chunk) {
        // A member changed since its key was taken is answered as it is now, or left out when gone.
        const item = rendered.get(`${key[1]}\n${key[2]}`);
        if (item) yield [key, item.render()];
      }
    }
  }

  /** An incremental sync: the members changed after the token, each once, in the order of their last change. */
  private async *changes(since: number): AsyncIterable<Listed> {
    const changes = await this.dav.store.changesSince(this.id, since);
    if (!changes) throw fullSyncRequired();
    const latest = new Map<string, { synctoken: number; deleted: boolean }>();
    for (const c of changes) {
      if (c.synctoken > this.state.snapshot) break;
      latest.delete(c.uri);
      latest.set(c.uri, c);
    }
    const pending = [...latest].filter(([uri, c]) => this.after([c.synctoken, uri, Number.MAX_SAFE_INTEGER]));
    for (let i = 0; i < pending.length; i += PAGE) {
      const chunk = pending.slice(i, i + PAGE);
      const live = chunk.filter(([, c]) => !c.deleted).map(([uri]) => uri);
      const objects = new Map((await this.dav.store.getObjects(this.id, live)).map((o) => [o.uri, o]));
      for (const [uri, c] of chunk) {
        const object = objects.get(uri);
        if (!object) {
          // Gone: Google's deleted event carries its id and nothing else it guarantees.
          const key: ItemKey = [c.synctoken, uri, WHOLE];
          if (this.after(key)) yield [key, { kind: 'calendar#event', etag: `"${c.synctoken}"`, id: eventIdOfUri(uri), status: 'cancelled' }];
          continue;
        }
        for (const item of this.items(object, false)) {
          const key: ItemKey = [c.synctoken, uri, item.rid];
          if (this.after(key) && this.shows(item, true)) yield [key, item.render()];
        }
      }
    }
  }

  private source(): AsyncIterable<Listed> {
    if (this.state.since !== null) return this.changes(this.state.since);
    return this.query.orderBy ? this.sortedOrder(this.query.orderBy) : this.uriOrder();
  }

  async page(): Promise<{ items: EventResource[]; nextPageToken?: string; nextSyncToken?: string }> {
    const items: EventResource[] = [];
    let last: ItemKey | undefined;
    for await (const [key, event] of this.source()) {
      if (items.length === this.query.maxResults) {
        return { items, nextPageToken: pageTokenOf({ ...this.state, after: last! }) };
      }
      items.push(event);
      last = key;
    }
    return { items, nextSyncToken: syncTokenOf(this.id, this.state.snapshot) };
  }
}

/** events.instances: the instances of one series (or the event itself when it has none), in order, a page at a time. */
export async function listInstances(dav: Dav, collection: CollectionResource, user: User, seriesUri: string, query: ListQuery): Promise<EventsPage> {
  const { nextSyncToken: _, ...page } = await new Listing(dav, collection, user, { ...query, seriesUri, singleEvents: true }).page();
  return { ...calendarSummary(collection), kind: 'calendar#events', ...page };
}

export async function listEvents(dav: Dav, collection: CollectionResource, user: User, query: ListQuery): Promise<EventsPage> {
  const page = await new Listing(dav, collection, user, query).page();
  return { ...calendarSummary(collection), kind: 'calendar#events', ...page };
}
