import type { Store } from '../store/types.js';
import { Dav } from './dav.js';
import { defineCoreProperties } from './live-properties.js';
import { copy } from './methods/copy.js';
import { del } from './methods/delete.js';
import { get, head } from './methods/get.js';
import { mkcol } from './methods/mkcol.js';
import { move } from './methods/move.js';
import { options } from './methods/options.js';
import { post } from './methods/post.js';
import { propfind } from './methods/propfind.js';
import { proppatch } from './methods/proppatch.js';
import { put } from './methods/put.js';
import { report } from './methods/report.js';
import { syncCollection } from './reports/sync-collection.js';
import type { RequestLimits } from './limits.js';

/** A WebDAV server with the core methods, properties and reports; protocols extend it. */
export function createDav(store: Store, limits: RequestLimits): Dav {
  const d = new Dav(store, limits);
  const methods = [options, get, head, put, del, copy, move, propfind, proppatch, mkcol, report(d.reports), post(d.xmlPosts, d.mediaPosts)];
  for (const m of methods) d.addMethod(m);
  defineCoreProperties(d);
  d.addReport(syncCollection);
  return d;
}
