import { checkPreconditions } from '../conditional.js';
import type { DavRequest } from '../request.js';
import type { MethodDef } from '../dav.js';
import { exists, type ExistingTarget } from '../target.js';
import { DavError } from '../errors.js';

function getOrHead(name: 'GET' | 'HEAD'): MethodDef<ExistingTarget> {
  return {
    name,
    allows: exists,
    handle: (req, target) => serve(req, target),
  };
}

async function serve(req: DavRequest, target: ExistingTarget): Promise<void> {
  const r = target.resource;
  if (r.type === 'object') {
    const object = await req.store.getObject(r.collection.id, r.object.uri);
    if (!object) throw new DavError(404, 'Not found');
    checkPreconditions(req, object.etag);
    req.setHeader('ETag', object.etag);
    req.setHeader('Last-Modified', new Date(object.modifiedAt).toUTCString());
    for (const hook of req.context.memberHooks) {
      if (hook.kind === r.kind) for (const [name, value] of Object.entries(hook.headersFor?.(object) ?? {})) req.setHeader(name, value);
    }
    req.respond(200, object.data, r.kind.objectContentType);
    return;
  }
  if (r.type === 'collection' && r.kind.exportCollection) {
    const exported = r.kind.exportCollection(r.collection, req.store.iterateObjects(r.collection.id));
    const base = r.collection.uri.replace(/[^\w.-]/g, '_');
    req.setHeader('Content-Disposition', `attachment; filename="${base}${r.kind.objectExtension}"`);
    req.respondStream(200, exported.chunks, exported.contentType);
    return;
  }
  req.respond(200, `Davenport: this is a WebDAV ${r.type}. Point a DAV client at this server.\n`, 'text/plain; charset=utf-8');
}

export const get = getOrHead('GET');
export const head = getOrHead('HEAD');
