import type { MethodDef } from '../dav.js';
import { DavError } from '../errors.js';
import { multistatus } from '../multistatus.js';
import { parsePropRequest, propertiesResponse } from '../propfind-core.js';
import { dav } from '../xml/names.js';

export const propfind: MethodDef = {
  name: 'PROPFIND',
  allows: (t) => t.resource !== undefined,
  async handle(req, target) {
    const depth = req.depth('infinity');
    if (depth === 'infinity') {
      throw new DavError(403, 'Depth: infinity is not supported; use 0 or 1', dav('propfind-finite-depth'));
    }
    const body = await req.readXml();
    if (body && body.name !== dav('propfind')) throw new DavError(400, 'Expected a DAV:propfind body');
    const props = parsePropRequest(body);
    const r = target.resource!;
    const ctx = { user: req.user };
    const minimal = req.wantsMinimal;
    let out = propertiesResponse(req.dav, r, props, ctx, minimal);
    if (depth === '1') {
      for (const member of req.dav.children(r)) out += propertiesResponse(req.dav, member, props, ctx, minimal);
    }
    if (minimal) req.setHeader('Preference-Applied', 'return=minimal');
    req.respond(207, multistatus(out), 'application/xml; charset=utf-8');
  },
};
