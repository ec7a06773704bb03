import type { Context, Next } from 'koa';
import { Readable } from 'node:stream';
import { exportCollection } from '../import-export/export.js';
import type { DavContext } from '../webdav/context.js';
import { collectionPath } from '../webdav/paths.js';
import { DavError } from '../webdav/errors.js';
import { FEED_KIND, FEED_PATH, FEEDS_PREFIX } from './links.js';

/**
 * GET /feeds/<token>.ics: the calendar of a public link, unauthenticated, read-only, as
 * one iCalendar document. The ETag follows the calendar's sync token and last change,
 * so a subscriber polling with If-None-Match gets 304 until something changed. An
 * unknown or revoked token, or one whose owner is disabled, is 404.
 */
export function feedRoute(dav: DavContext) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const match = FEED_PATH.exec(ctx.path);
    if (!match) {
      if (ctx.path.startsWith(FEEDS_PREFIX)) throw new DavError(404, 'No such feed');
      return next();
    }
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      throw new DavError(405, 'A feed can only be read', undefined, undefined, { Allow: 'GET, HEAD' });
    }
    const link = await dav.store.getFeedLink(match[1]!);
    const collection = link && (await dav.store.getCollectionById(link.collectionId));
    const owner = collection && (await dav.store.getUserById(collection.ownerId));
    const kind = dav.kinds.find((k) => k.name === FEED_KIND);
    if (!collection || !owner || owner.disabled || !kind || collection.kind !== FEED_KIND) throw new DavError(404, 'No such feed');
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('X-Robots-Tag', 'noindex');
    ctx.set('Referrer-Policy', 'no-referrer');
    const etag = `"${collection.id}-${collection.synctoken}-${collection.modifiedAt}"`;
    ctx.set('ETag', etag);
    ctx.lastModified = new Date(collection.modifiedAt);
    // Not koa's ctx.fresh: that ignores If-None-Match when the request says
    // Cache-Control: no-cache, which fetch() adds to every conditional request.
    if (ctx.get('If-None-Match').split(',').some((tag) => [etag, `W/${etag}`, '*'].includes(tag.trim()))) {
      ctx.status = 304;
      return;
    }
    const resource = { type: 'collection' as const, path: collectionPath(kind.homeSegment, owner.username, collection.uri), owner, kind, collection };
    const exported = exportCollection(dav, resource, 'public');
    ctx.type = exported.contentType;
    ctx.body = Readable.from(exported.chunks); // koa sends none of it to a HEAD
  };
}
