import { randomBytes } from 'node:crypto';
import type { Collection, FeedLink, StoreSession } from '../store/types.js';

// A read-only public link to a calendar, for webcal subscriptions (Apple Calendar,
// Google Calendar, Outlook, Thunderbird): whoever has the URL can read the calendar and
// nothing else, without an account. The secret part is 24 random bytes (32 characters);
// revoking deletes it, and the URL answers 404 from then on.

export const FEEDS_PREFIX = '/feeds/';
const TOKEN_BYTES = 24;
/** What a feed URL's path must look like, so anything else is refused before a lookup. */
export const FEED_PATH = /^\/feeds\/([A-Za-z0-9_-]{32})\.ics$/;

/** Only calendars have feeds (an address book has no subscription format). */
export const FEED_KIND = 'calendar';

export class FeedError extends Error {}

export interface FeedLinkView extends FeedLink {
  /** https://…/feeds/<token>.ics */
  url: string;
  /** The same as webcal://…, which calendar applications open as a subscription. */
  webcalUrl: string;
}

export function feedUrl(origin: string, token: string): string {
  return `${origin}${FEEDS_PREFIX}${token}.ics`;
}

export function webcalUrl(url: string): string {
  return url.replace(/^https?:\/\//, 'webcal://');
}

function view(origin: string, link: FeedLink): FeedLinkView {
  const url = feedUrl(origin, link.token);
  return { ...link, url, webcalUrl: webcalUrl(url) };
}

/** Makes a new public link to the calendar (a calendar may have several, revoked one by one). */
export async function createFeedLink(store: StoreSession, collection: Collection, origin: string): Promise<FeedLinkView> {
  if (collection.kind !== FEED_KIND) throw new FeedError('only a calendar can have a public link');
  return view(origin, await store.addFeedLink(collection.id, randomBytes(TOKEN_BYTES).toString('base64url')));
}

/** The calendar's public links, oldest first. */
export async function listFeedLinks(store: StoreSession, collection: Collection, origin: string): Promise<FeedLinkView[]> {
  return (await store.listFeedLinks(collection.id)).map((link) => view(origin, link));
}

/** Revokes one of the calendar's links (by its id); false when it has no such link. */
export function revokeFeedLink(store: StoreSession, collection: Collection, id: number): Promise<boolean> {
  return store.removeFeedLink(collection.id, id);
}
