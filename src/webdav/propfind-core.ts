import type { DavContext } from './context.js';
import { deadProperties } from './dead-properties.js';
import { DavError } from './errors.js';
import { propstat, response } from './multistatus.js';
import type { LiveProperty, PropertyContext } from './properties.js';
import type { CollectionResource, Resource } from './resource.js';
import { dav, qname, type QName } from './xml/names.js';
import type { XmlElement } from './xml/parse.js';
import type { RawParts } from './xml/raw.js';
import { el, type Xml } from './xml/write.js';
import type { DeadProperty } from '../store/types.js';

/** Which properties a PROPFIND or REPORT asks for. */
export type PropRequest =
  | { mode: 'prop'; names: QName[] }
  | { mode: 'allprop'; include: QName[] }
  | { mode: 'propname' };

/**
 * Properties made from the data a report or PROPFIND read, keyed by name: asked for by
 * name, never listed. A value that takes long to make (an expansion that lets other
 * requests run meanwhile) is a promise.
 */
export type ReportProperties = Map<QName, (r: Resource) => Xml | undefined | Promise<Xml | undefined>>;

/** Object data a request already read (uri → bytes), and where spliced raw data goes. */
export interface ReportData {
  loaded: Map<string, Buffer>;
  raw: RawParts;
}

/** Builds a request's data properties (calendar-data, address-data) from its body. */
export type ReportPropertiesFactory = (
  body: XmlElement,
  collection: CollectionResource,
  data: ReportData,
) => ReportProperties;

/**
 * A live property made from an object's stored data (calendar-data, address-data).
 * Only a request that reads the data has its value (`fromData`): a PROPFIND that names
 * it reads the members' data, and its `get` alone has nothing to give.
 */
export interface StoredDataProperty extends LiveProperty {
  fromData: ReportPropertiesFactory;
}

export function isStoredDataProperty(p: LiveProperty | undefined): p is StoredDataProperty {
  return p !== undefined && 'fromData' in p;
}

const MODES = [dav('prop'), dav('propname'), dav('allprop')];

/**
 * Reads DAV:prop / DAV:allprop / DAV:propname from a PROPFIND or REPORT body: exactly
 * one of them, DAV:include only beside allprop (RFC 4918 §14.20); anything else is 400.
 */
export function parsePropRequest(parent: XmlElement | undefined): PropRequest {
  if (!parent) return { mode: 'allprop', include: [] };
  const modes = parent.children.filter((c) => MODES.includes(c.name));
  if (modes.length > 1) throw new DavError(400, 'Only one of prop, allprop and propname may be given');
  const [mode] = modes;
  const include = parent.children.find((x) => x.name === dav('include'));
  if (include && mode?.name !== dav('allprop')) throw new DavError(400, 'include goes only with allprop');
  if (mode?.name === dav('prop')) return { mode: 'prop', names: mode.children.map((p) => p.name) };
  if (mode?.name === dav('propname')) return { mode: 'propname' };
  if (mode?.name === dav('allprop')) return { mode: 'allprop', include: include ? include.children.map((p) => p.name) : [] };
  if (parent.name === dav('propfind')) throw new DavError(400, 'propfind needs prop, allprop or propname');
  return { mode: 'prop', names: [] };
}

/**
 * One DAV:response for a resource: found properties in a 200 propstat, missing ones in
 * a 404 propstat (left out when the client asked for a minimal answer). Synchronous
 * unless dead properties must be read or a report property is a promise: listings of
 * thousands of members then make no promise per member.
 */
export function propertiesResponse(
  d: DavContext,
  r: Resource,
  req: PropRequest,
  ctx: PropertyContext,
  minimal: boolean,
  reportProps?: ReportProperties,
): Xml | Promise<Xml> {
  const build = (dead: DeadProperty[]) => buildResponse(d, r, req, ctx, minimal, reportProps, dead);
  const needsDead = req.mode !== 'prop' || req.names.some((n) => !reportProps?.has(n) && !d.properties.get(n));
  return needsDead ? deadProperties(d.store, r).then(build) : build([]);
}

function buildResponse(
  d: DavContext,
  r: Resource,
  req: PropRequest,
  ctx: PropertyContext,
  minimal: boolean,
  reportProps: ReportProperties | undefined,
  deadProps: DeadProperty[],
): Xml | Promise<Xml> {
  let found = '';
  let missing = '';

  if (req.mode === 'propname') {
    for (const p of d.properties.forResource(r)) found += el(p.name);
    for (const p of deadProps) found += el(qname(p.namespace, p.name));
    return response(r.path, propstat(found, 200));
  }

  if (req.mode === 'allprop') {
    for (const p of d.properties.forResource(r)) {
      if (p.inAllprop === false && !req.include.includes(p.name)) continue;
      const v = p.get(r, ctx);
      if (v !== undefined) found += el(p.name, v);
    }
    for (const p of deadProps) found += p.xml;
    return response(r.path, propstat(found, 200));
  }

  let dead: Map<QName, string> | undefined;
  const add = (name: QName, value: Xml | undefined) => {
    if (value !== undefined) found += el(name, value);
    else if (!minimal) missing += el(name);
  };
  const namesFrom = (first: number): Xml | Promise<Xml> => {
    for (let i = first; i < req.names.length; i++) {
      const name = req.names[i]!;
      const extra = reportProps?.get(name);
      const live = extra ? undefined : d.properties.get(name);
      let value: Xml | undefined;
      if (extra) {
        const made = extra(r);
        // One that takes a while (an expansion letting other requests run): the rest waits for it.
        if (made instanceof Promise) return made.then((v) => (add(name, v), namesFrom(i + 1)));
        value = made;
      } else if (live) value = live.appliesTo(r) ? live.get(r, ctx) : undefined;
      else {
        dead ??= new Map(deadProps.map((p) => [qname(p.namespace, p.name), p.xml]));
        const xml = dead.get(name);
        if (xml !== undefined) {
          found += xml;
          continue;
        }
        const guarded = d.properties.guarded(name);
        if (guarded?.appliesTo(r)) value = guarded.unset;
      }
      add(name, value);
    }
    let body = '';
    if (found !== '' || missing === '') body += propstat(found, 200);
    if (missing !== '') body += propstat(missing, 404);
    return response(r.path, body);
  };
  return namesFrom(0);
}
