import type Router from '@koa/router';
import type { Context } from 'koa';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { hasBirthdayCalendar, setBirthdayCalendar } from '../birthdays/index.js';
import { createFeedLink, FEED_KIND, listFeedLinks, revokeFeedLink } from '../feeds/index.js';
import { exportCollection, ImportError, importInto } from '../import-export/index.js';
import type { Collection, CollectionFields, User } from '../store/types.js';
import type { CollectionKind } from '../webdav/kinds.js';
import { deleteCollection } from '../webdav/collection-delete.js';
import { DavError } from '../webdav/errors.js';
import { membersReadOnly } from '../webdav/generated-collections.js';
import { collectionPath, DAV_ROOT } from '../webdav/paths.js';
import type { CollectionResource } from '../webdav/resource.js';
import { publicOrigin } from '../webdav/public-origin.js';
import { appleProfile, MOBILECONFIG_TYPE } from './apple-profile.js';
import type { WebDeps } from './deps.js';
import type { Form } from './form.js';
import { collectionsPage, type CollectionView } from './pages/collections.js';
import { importReportPage } from './pages/import-report.js';
import { action, doneMessage, page, seeOther, sendHtml } from './request.js';
import type { SignedIn } from './session.js';
import { WebError } from './web-error.js';

const DONE = {
  created: 'Created.',
  saved: 'Saved.',
  deleted: 'Deleted.',
  'birthdays-on': 'The birthday calendar is on.',
  'birthdays-off': 'The birthday calendar is off.',
  'feed-made': 'Public link made: anyone who has it can read the calendar.',
  'feed-revoked': 'Public link revoked: it no longer works.',
};

/** Calendars come first on the page, then address books: the kinds the server registered. */
const SHOWN_KINDS = ['calendar', 'addressbook'];

/** #rrggbb from what a client stored (Apple writes #rrggbbaa); null when it is not a colour. */
function displayColor(color: string | null): string | null {
  const m = color && /^#[0-9a-f]{6}/i.exec(color);
  return m ? m[0].toLowerCase() : null;
}

function colorField(form: Form): string | null {
  const color = form.text('color');
  if (color === '') return null;
  if (!/^#[0-9a-f]{6}$/i.test(color)) throw new WebError(400, 'A colour is written #rrggbb.');
  return color.toLowerCase();
}

function nameField(form: Form): string {
  const name = form.text('name').trim();
  // eslint-disable-next-line no-control-regex
  if (name === '' || name.length > 200 || /[\u0000-\u001f\u007f]/.test(name)) throw new WebError(400, 'A name is one line of 1 to 200 characters.');
  return name;
}

/** A URL segment from a name: readable where the name allows, random where it does not. */
function slugOf(name: string): string {
  const slug = name.normalize('NFKD').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase().slice(0, 40);
  return slug || randomBytes(6).toString('hex');
}

export function collectionRoutes(router: Router, deps: WebDeps): { home: (ctx: Context) => Promise<void> } {
  const { store, dav, config } = deps;

  const kindNamed = (name: string): CollectionKind => {
    const kind = SHOWN_KINDS.includes(name) ? dav.kinds.find((k) => k.name === name) : undefined;
    if (!kind) throw new WebError(404, 'There is no such kind of collection.');
    return kind;
  };

  const view = async (origin: string, user: User, kind: CollectionKind, c: Collection): Promise<CollectionView> => ({
    feeds: kind.name === FEED_KIND ? await listFeedLinks(store, c, origin) : undefined,
    kind: kind.name,
    uri: c.uri,
    name: c.displayname || c.uri,
    color: displayColor(c.color),
    generated: membersReadOnly(c),
    url: `${origin}${collectionPath(kind.homeSegment, user.username, c.uri)}`,
  });

  const dashboard = async (ctx: Context, who: SignedIn) => {
    const origin = publicOrigin(ctx, config.publicUrl);
    const [calendars, addressBooks] = await Promise.all(
      SHOWN_KINDS.map(async (name) => {
        const kind = kindNamed(name);
        return Promise.all((await store.listCollections(who.user.id, kind.name)).map((c) => view(origin, who.user, kind, c)));
      }),
    );
    sendHtml(ctx, collectionsPage({
      who, calendars: calendars!, addressBooks: addressBooks!, davUrl: `${origin}${DAV_ROOT}`,
      birthdays: await hasBirthdayCalendar(store, who.user), notice: doneMessage(ctx, DONE),
    }));
  };

  /**
   * The signed-in user's collection named in the path; 404 when there is none. The members
   * of a generated one (the birthday calendar) are the server's: `writeMembers` refuses it.
   */
  const target = async (ctx: Context, who: SignedIn, o: { writeMembers?: boolean; kind?: string } = {}): Promise<CollectionResource> => {
    const kind = kindNamed(o.kind ?? ctx.params.kind ?? '');
    const collection = await store.getCollection(who.user.id, kind.name, ctx.params.uri ?? '');
    if (!collection) throw new WebError(404, 'There is no such calendar or address book.');
    if (o.writeMembers && membersReadOnly(collection)) throw new WebError(403, 'The events of this calendar are made by the server; nothing can be imported into it.');
    return { type: 'collection', path: collectionPath(kind.homeSegment, who.user.username, collection.uri), owner: who.user, kind, collection };
  };

  router.post('/web/collections', action(deps, async (ctx, who, form) => {
    const kind = kindNamed(form.text('kind'));
    const fields: CollectionFields = { ...kind.defaultCollection.fields, displayname: nameField(form) };
    if (kind.name === 'calendar') fields.color = colorField(form);
    const base = slugOf(fields.displayname!);
    await store.transaction(async (tx) => {
      // A taken segment (or a reserved one, like the scheduling inbox) gets a random suffix.
      const reserved = (uri: string) => (kind.specialCollections ?? []).some((s) => s.uri === uri);
      let created: Collection | undefined;
      for (let i = 0; !created && i < 5; i++) {
        const uri = i === 0 ? base : `${base}-${randomBytes(3).toString('hex')}`;
        if (!reserved(uri)) created = await tx.createCollection(who.user.id, kind.name, uri, fields);
      }
      if (!created) throw new WebError(409, 'Could not find a free address for the new collection; try another name.');
      await dav.changed(tx, { collection: created, what: 'collection' });
    });
    seeOther(ctx, '/?done=created');
  }));

  router.post('/web/collections/:kind/:uri/update', action(deps, async (ctx, who, form) => {
    const { kind, collection } = await target(ctx, who);
    const fields: CollectionFields = { displayname: nameField(form) };
    if (kind.name === 'calendar') fields.color = colorField(form);
    await store.transaction((tx) => tx.updateCollection(collection.id, fields));
    seeOther(ctx, '/?done=saved');
  }));

  router.post('/web/collections/:kind/:uri/delete', action(deps, async (ctx, who, form) => {
    const { collection } = await target(ctx, who);
    if (form.text('confirm') !== 'yes') throw new WebError(400, 'Tick the box to confirm the deletion.');
    await store.transaction((tx) => deleteCollection(tx, dav, collection));
    seeOther(ctx, '/?done=deleted');
  }));

  router.post('/web/collections/:kind/:uri/import', action(deps, async (ctx, who, form) => {
    const resource = await target(ctx, who, { writeMembers: true });
    const file = await form.file('file');
    const view = { who, collection: resource.collection.displayname || resource.collection.uri, file: file?.name || 'the file' };
    if (!file || file.bytes.length === 0) return sendHtml(ctx, importReportPage({ ...view, error: 'Choose a file to import.' }), 400);
    try {
      sendHtml(ctx, importReportPage({ ...view, report: await importInto(dav, resource, file.bytes) }));
    } catch (e) {
      if (!(e instanceof ImportError)) throw e;
      sendHtml(ctx, importReportPage({ ...view, error: e.message }), 400);
    }
  }));

  router.get('/web/collections/:kind/:uri/export', page(deps, async (ctx, who) => {
    const exported = exportCollection(dav, await target(ctx, who));
    ctx.type = exported.contentType;
    ctx.set('Content-Disposition', `attachment; filename="${exported.filename}"`);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = Readable.from(exported.chunks);
  }));

  router.post('/web/collections/calendar/:uri/feed', action(deps, async (ctx, who) => {
    const { collection } = await target(ctx, who, { kind: FEED_KIND });
    await createFeedLink(store, collection, publicOrigin(ctx, config.publicUrl));
    seeOther(ctx, '/?done=feed-made');
  }));

  router.post('/web/collections/calendar/:uri/feed-revoke', action(deps, async (ctx, who, form) => {
    const { collection } = await target(ctx, who, { kind: FEED_KIND });
    if (!(await revokeFeedLink(store, collection, Number(form.text('id'))))) throw new WebError(404, 'There is no such public link.');
    seeOther(ctx, '/?done=feed-revoked');
  }));

  router.post('/web/birthdays', action(deps, async (ctx, who, form) => {
    const enabled = form.text('enabled') === 'yes';
    try {
      await setBirthdayCalendar(dav, who.user, enabled);
    } catch (e) {
      if (e instanceof DavError && e.status === 409) throw new WebError(409, e.message);
      throw e;
    }
    seeOther(ctx, `/?done=birthdays-${enabled ? 'on' : 'off'}`);
  }));

  router.get('/web/apple-profile', page(deps, async (ctx, who) => {
    ctx.type = MOBILECONFIG_TYPE;
    ctx.set('Content-Disposition', `attachment; filename="${who.user.username.replace(/[^A-Za-z0-9._-]/g, '_')}.mobileconfig"`);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = appleProfile(publicOrigin(ctx, config.publicUrl), who.user);
  }));

  return { home: page(deps, dashboard) };
}
