import type { Dav } from './dav.js';
import { DavError } from './errors.js';
import { membersReadOnly } from './generated-collections.js';
import { hrefEl } from './multistatus.js';
import { principalPath, PRINCIPALS } from './paths.js';
import { isCollection, isObject, ownerOf, type Resource } from './resource.js';
import { syncTokenOf } from './sync-token.js';
import { dav, NS, qname, type QName } from './xml/names.js';
import type { LiveProperty } from './properties.js';
import { el, escapeXml } from './xml/write.js';

// The live properties of the generic WebDAV layer (RFC 4918, 3744, 5397, 5995, 6578 and
// the CalendarServer ctag, which clients of every kind of collection read). Protocol
// layers define theirs in the same table.

const any = () => true;

/** Text of a settable text property; an empty element clears it. */
export function textValue(value: { text: string }): string | null {
  const t = value.text.trim();
  return t === '' ? null : t;
}

/** A settable collection property stored as plain text in one collection field. */
export function collectionTextProperty(
  name: QName,
  field: 'description' | 'color' | 'sortOrder',
  appliesTo: (r: Resource) => boolean,
  validate: (text: string) => void = () => {},
): LiveProperty {
  return {
    name,
    appliesTo,
    get: (r) => {
      const text = r.type === 'collection' ? r.collection[field] : null;
      return text == null ? undefined : escapeXml(text);
    },
    set: (v) => {
      const text = textValue(v);
      if (text !== null) validate(text);
      return { [field]: text };
    },
    remove: () => ({ [field]: null }),
  };
}

const OWNER_PRIVILEGES = ['read', 'write', 'write-properties', 'write-content', 'bind', 'unbind', 'read-current-user-privilege-set'];
const READ_PRIVILEGES = ['read', 'read-current-user-privilege-set'];
/** A generated collection: its owner may rename and recolour it, not write its members. */
const GENERATED_COLLECTION_PRIVILEGES = ['read', 'write-properties', 'read-current-user-privilege-set'];

function ownerPrivileges(r: Resource): string[] {
  if (r.type === 'collection' && membersReadOnly(r.collection)) return GENERATED_COLLECTION_PRIVILEGES;
  if (r.type === 'object' && membersReadOnly(r.collection)) return READ_PRIVILEGES;
  return OWNER_PRIVILEGES;
}

function privilegeSet(names: string[]): string {
  return names.map((n) => el(dav('privilege'), el(dav(n)))).join('');
}

/** The sync token doubles as the ctag: both change exactly when a member changes. */
function collectionToken(r: Resource): string | undefined {
  return r.type === 'collection' ? escapeXml(syncTokenOf(r.collection.id, r.collection.synctoken)) : undefined;
}

export function defineCoreProperties(d: Dav): void {
  d.properties.define(
    {
      name: dav('resourcetype'),
      appliesTo: any,
      get(r) {
        switch (r.type) {
          case 'object':
            return '';
          case 'principal':
            return el(dav('collection')) + el(dav('principal'));
          case 'collection':
            return el(dav('collection')) + el(r.kind.resourceType);
          case 'special':
            return el(dav('collection')) + el(r.resourceType);
          default:
            return el(dav('collection'));
        }
      },
    },
    {
      name: dav('displayname'),
      appliesTo: (r) => r.type === 'collection' || r.type === 'principal',
      get(r) {
        if (r.type === 'principal') return escapeXml(r.owner.displayName ?? r.owner.username);
        if (r.type === 'collection' && r.collection.displayname !== null) return escapeXml(r.collection.displayname);
        return undefined;
      },
      set(v, _phase, r) {
        // A principal's name is the user's, changed by the administrator.
        if (r?.type === 'principal') throw new DavError(403, 'The principal displayname is protected', dav('cannot-modify-protected-property'));
        return { displayname: textValue(v) };
      },
      remove: () => ({ displayname: null }),
    },
    {
      name: dav('getetag'),
      appliesTo: isObject,
      get: (r) => (r.type === 'object' ? escapeXml(r.object.etag) : undefined),
    },
    {
      name: dav('getcontenttype'),
      appliesTo: isObject,
      get: (r) => (r.type === 'object' ? escapeXml(r.kind.objectContentType) : undefined),
    },
    {
      // RFC 4918 §15.4 defines it for every resource. A collection's GET is a generated
      // export or notice, streamed without a length; the clients that read this
      // (Windows, davfs2, Finder) list a folder as 0 bytes, so that is its size.
      name: dav('getcontentlength'),
      appliesTo: () => true,
      get: (r) => (r.type === 'object' ? String(r.object.size) : '0'),
    },
    {
      name: dav('getlastmodified'),
      appliesTo: (r) => r.type === 'object' || r.type === 'collection',
      get(r) {
        if (r.type === 'object') return new Date(r.object.modifiedAt).toUTCString();
        if (r.type === 'collection') return new Date(r.collection.modifiedAt).toUTCString();
        return undefined;
      },
    },
    {
      name: dav('creationdate'),
      appliesTo: isCollection,
      get: (r) => (r.type === 'collection' ? new Date(r.collection.createdAt).toISOString() : undefined),
    },
    {
      name: dav('current-user-principal'),
      appliesTo: any,
      get: (_r, ctx) => hrefEl(principalPath(ctx.user.username)),
      inAllprop: false,
    },
    {
      name: dav('principal-URL'),
      appliesTo: (r) => r.type === 'principal',
      get: (r) => (r.type === 'principal' ? hrefEl(r.path) : undefined),
    },
    {
      name: dav('principal-collection-set'),
      appliesTo: any,
      get: () => hrefEl(PRINCIPALS),
      inAllprop: false,
    },
    {
      name: dav('owner'),
      appliesTo: (r) => ownerOf(r) !== undefined,
      get: (r) => {
        const owner = ownerOf(r);
        return owner ? hrefEl(principalPath(owner.username)) : undefined;
      },
    },
    {
      name: dav('current-user-privilege-set'),
      appliesTo: any,
      get: (r, ctx) => privilegeSet(ownerOf(r)?.id === ctx.user.id ? ownerPrivileges(r) : READ_PRIVILEGES),
      inAllprop: false,
    },
    {
      name: dav('supported-report-set'),
      appliesTo: any,
      get: (r) =>
        d.reports
          .filter((rep) => rep.appliesTo(r))
          .map((rep) => el(dav('supported-report'), el(dav('report'), el(rep.name))))
          .join(''),
      inAllprop: false,
    },
    {
      name: dav('sync-token'),
      appliesTo: isCollection,
      get: collectionToken,
      inAllprop: false,
    },
    {
      name: qname(NS.CALSERVER, 'getctag'),
      appliesTo: isCollection,
      get: collectionToken,
    },
    {
      name: dav('add-member'),
      appliesTo: isCollection,
      get: (r) => hrefEl(r.path),
      inAllprop: false,
    },
  );
}
