import type { MethodDef } from '../dav.js';
import { DavError } from '../errors.js';
import { multistatusChunks } from '../multistatus.js';
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
    if (minimal) req.setHeader('Preference-Applied', 'return=minimal');
    const responses = (async function* () {
      yield propertiesResponse(req.dav, r, props, ctx, minimal);
      if (depth === '1') for await (const member of req.dav.children(r)) yield propertiesResponse(req.dav, member, props, ctx, minimal);
    })();
    req.respondMultistatus(multistatusChunks(responses));
  },
};
