import type { Context } from 'koa';
import type { ObjectMeta, Store, StoreSession, User } from '../store/types.js';
import type { ChangeListener, CollectionChange } from './changes.js';
import type { DavContext } from './context.js';
import { DavError } from './errors.js';
import type { CollectionKind } from './kinds.js';
import type { RequestLimits } from './limits.js';
import type { MemberHook } from './member-hooks.js';
import { PropertyTable } from './properties.js';
import type { CollectionResource, ObjectResource, Resource } from './resource.js';
import { DavRequest } from './request.js';
import type { Target } from './target.js';
import { dav, type QName } from './xml/names.js';
import type { XmlElement } from './xml/parse.js';
import { collectionPath, DAV_ROOT, homePath, objectPath, principalPath, PRINCIPALS, splitPath } from './paths.js';

// A method or report names the targets or resources it takes with a type guard, and
// dispatch calls its handler only with one that passed: that is what lets a
// MethodDef<T> or ReportDef<R> stand in the server's tables, and spares handlers a cast.

export interface MethodDef<T extends Target = Target> {
  name: string;
  /** Creates the target: without an existing parent the answer is 409 (RFC 4918 §9.7.1). */
  creates?: boolean;
  /** Whether the method applies to this target; drives dispatch and the Allow header. */
  allows(target: Target): target is T;
  handle(req: DavRequest, target: T): Promise<void> | void;
}

/** A handler chosen by the root element of an XML request body. */
export interface XmlBodyDef<R extends Resource = Resource> {
  /** The root element of the body. */
  name: QName;
  /** Accepted on these resources. */
  appliesTo(r: Resource): r is R;
  handle(req: DavRequest, resource: R, body: XmlElement): Promise<void> | void;
}

/** A REPORT: also listed in supported-report-set of the resources it applies to. */
export type ReportDef<R extends Resource = Resource> = XmlBodyDef<R>;

/** A POST with an XML body a protocol layer claims by its root element (POST on a collection is otherwise add-member). */
export type XmlPostDef<R extends Resource = Resource> = XmlBodyDef<R>;

/**
 * A POST with a body that is not XML (iTIP to a scheduling outbox), which a protocol
 * layer takes on the resources it applies to, by the body's media type. The core never
 * reads such a body; on those resources POST is not add-member.
 */
export interface MediaPostDef<R extends Resource = Resource> {
  /** Lower case, without parameters: "text/calendar". */
  mediaTypes: readonly string[];
  appliesTo(r: Resource): r is R;
  handle(req: DavRequest, resource: R): Promise<void> | void;
}

/**
 * The generic WebDAV server: resolves URLs to resources and dispatches methods.
 * Protocol layers extend it through addKind/addReport/addXmlPost/addMediaPost/addMethod/properties
 * and never need to change it.
 */
export class Dav implements DavContext {
  readonly kinds: CollectionKind[] = [];
  readonly properties = new PropertyTable();
  readonly reports: ReportDef[] = [];
  readonly xmlPosts: XmlPostDef[] = [];
  readonly mediaPosts: MediaPostDef[] = [];
  private readonly methods = new Map<string, MethodDef>();
  private readonly changeListeners: ChangeListener[] = [];
  /** The DAV header's compliance classes; protocol layers add theirs. */
  readonly complianceClasses: string[] = ['1', '3', 'extended-mkcol'];
  readonly memberHooks: MemberHook[] = [];

  constructor(
    readonly store: Store,
    readonly limits: RequestLimits,
  ) {}

  addKind(kind: CollectionKind): void {
    this.kinds.push(kind);
  }

  addReport(report: ReportDef): void {
    this.reports.push(report);
  }

  addXmlPost(post: XmlPostDef): void {
    this.xmlPosts.push(post);
  }

  addMediaPost(post: MediaPostDef): void {
    this.mediaPosts.push(post);
  }

  addMethod(method: MethodDef): void {
    this.methods.set(method.name, method);
  }

  /** Runs around every write of a member of the hook's kind (see MemberHook). */
  addMemberHook(hook: MemberHook): void {
    this.memberHooks.push(hook);
  }

  /** Listens to every write that changes a collection (notifications hang off this). */
  addChangeListener(listener: ChangeListener): void {
    this.changeListeners.push(listener);
  }

  async changed(tx: StoreSession, change: CollectionChange): Promise<void> {
    for (const listener of this.changeListeners) await listener(tx, change);
  }

  allowedMethods(target: Target): string[] {
    return [...this.methods.values()].filter((m) => m.allows(target)).map((m) => m.name);
  }

  async handle(koa: Context, user: User): Promise<void> {
    const def = this.methods.get(koa.method);
    const target = await this.resolve(koa.path, user);
    if (!def) throw new DavError(405, `${koa.method} is not supported`, undefined, undefined, { Allow: this.allowedMethods(target).join(', ') });
    if (!def.allows(target)) throw this.refusal(def, target);
    await def.handle(new DavRequest(this, koa, user), target);
  }

  /** Why a method does not apply to a target. */
  private refusal(method: MethodDef, target: Target): DavError {
    if (!target.resource && method.creates) {
      if (!target.parent) return new DavError(409, 'The parent collection does not exist');
      return new DavError(403, `${method.name} cannot create a resource here`);
    }
    if (!target.resource) return new DavError(404, 'Not found');
    const allow = { Allow: this.allowedMethods(target).join(', ') };
    // MKCOL, MKCALENDAR: RFC 5689 §3 and RFC 4791 §5.3.1 name the precondition.
    if (method.creates) return new DavError(405, 'A resource already exists here', dav('resource-must-be-null'), undefined, allow);
    return new DavError(405, `${method.name} is not allowed here`, undefined, undefined, allow);
  }

  /**
   * Maps a path to a resource. Anything under another user's principal or homes is
   * refused before it is looked up, so nothing about its existence leaks.
   */
  async resolve(path: string, user: User): Promise<Target> {
    const segments = splitPath(path);
    if (!segments) throw new DavError(400, 'Invalid request path');
    const name = segments[segments.length - 1] ?? '';
    const missing = (parent?: Resource): Target => ({ path, resource: undefined, parent, name });
    const found = (resource: Resource, parent?: Resource): Target => ({ path, resource, parent, name });

    if (segments.length === 0) return found({ type: 'root', path: '/' });
    if (segments[0] !== 'dav') return missing();
    if (segments.length === 1) return found({ type: 'root', path: DAV_ROOT });

    const [, area, username, collectionUri, objectUri, ...rest] = segments;
    if (area === 'principals') {
      const principals: Resource = { type: 'principals', path: PRINCIPALS };
      if (username === undefined) return found(principals);
      if (collectionUri !== undefined) return missing();
      const owner = this.ownUser(username, user);
      return found({ type: 'principal', path: principalPath(owner.username), owner }, principals);
    }

    const kind = this.kinds.find((k) => k.homeSegment === area && !k.specialUri);
    if (!kind || username === undefined || rest.length > 0) return missing();
    const owner = this.ownUser(username, user);
    const home: Resource = { type: 'home', path: homePath(kind.homeSegment, owner.username), owner, kind };
    if (collectionUri === undefined) return found(home);

    const special = kind.specialCollections?.find((s) => s.uri === collectionUri);
    if (special) {
      const stored = await this.storedSpecial(owner, kind, special.uri);
      if (stored) {
        if (objectUri === undefined) return found(stored, home);
        const object = await this.store.getObjectMeta(stored.collection.id, objectUri);
        return object ? found(this.objectResource(stored, object), stored) : missing(stored);
      }
      const path = collectionPath(kind.homeSegment, owner.username, special.uri);
      const fixed: Resource = { type: 'special', path, owner, kind, resourceType: special.resourceType };
      // It holds no members: a write into it is refused (403), not taken for a missing parent (409).
      if (objectUri !== undefined) return missing(fixed);
      return found(fixed, home);
    }

    const collection = await this.store.getCollection(owner.id, kind.name, collectionUri);
    if (!collection) return objectUri === undefined ? missing(home) : missing();
    const cpath = collectionPath(kind.homeSegment, owner.username, collection.uri);
    const collectionResource: Resource = { type: 'collection', path: cpath, owner, kind, collection };
    if (objectUri === undefined) return found(collectionResource, home);

    const object = await this.store.getObjectMeta(collection.id, objectUri);
    if (!object) return missing(collectionResource);
    return found({ type: 'object', path: objectPath(cpath, object.uri), owner, kind, collection, object }, collectionResource);
  }

  /** A special collection that a kind stores as a collection (CollectionKind.specialUri), if it exists. */
  private async storedSpecial(owner: User, home: CollectionKind, uri: string): Promise<CollectionResource | undefined> {
    const kind = this.kinds.find((k) => k.specialUri === uri && k.homeSegment === home.homeSegment);
    const collection = kind && (await this.store.getCollection(owner.id, kind.name, uri));
    if (!kind || !collection) return undefined;
    return { type: 'collection', path: collectionPath(kind.homeSegment, owner.username, uri), owner, kind, collection };
  }

  /** The user named in a path, which must be the one signed in. */
  private ownUser(username: string, user: User): User {
    if (username !== user.username) throw new DavError(403, 'You may only access your own principal and collections');
    return user;
  }

  /** Members of a collection-like resource, for Depth: 1, a page at a time. */
  async *children(r: Resource): AsyncIterable<Resource[]> {
    if (r.type === 'home') {
      const collections: Resource[] = (await this.store.listCollections(r.owner.id, r.kind.name)).map((collection) => ({
        type: 'collection', path: collectionPath(r.kind.homeSegment, r.owner.username, collection.uri),
        owner: r.owner, kind: r.kind, collection,
      }));
      const specials: Resource[] = [];
      for (const s of r.kind.specialCollections ?? []) {
        specials.push((await this.storedSpecial(r.owner, r.kind, s.uri)) ?? {
          type: 'special', path: collectionPath(r.kind.homeSegment, r.owner.username, s.uri),
          owner: r.owner, kind: r.kind, resourceType: s.resourceType,
        });
      }
      yield [...collections, ...specials];
    } else if (r.type === 'collection') {
      for await (const page of this.store.listObjects(r.collection.id)) yield page.map((object) => this.objectResource(r, object));
    }
  }

  objectResource(parent: CollectionResource, object: ObjectMeta): ObjectResource {
    return {
      type: 'object', path: objectPath(parent.path, object.uri),
      owner: parent.owner, kind: parent.kind, collection: parent.collection, object,
    };
  }

  /**
   * Gives a new user each kind's default collection (clients expect at least one), in
   * one transaction. Only at creation: a default the user deletes stays deleted.
   */
  async createDefaultCollections(user: User): Promise<void> {
    await this.store.transaction(async (tx) => {
      for (const kind of this.kinds) {
        const collection = await tx.createCollection(user.id, kind.name, kind.defaultCollection.uri, kind.defaultCollection.fields);
        if (collection) await this.changed(tx, { collection, what: 'collection' });
      }
    });
  }
}
