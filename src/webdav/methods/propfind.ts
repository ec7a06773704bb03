import type { MethodDef } from '../dav.js';
import { DavError } from '../errors.js';
import { joinResponses, multistatusChunks } from '../multistatus.js';
import { parsePropRequest, propertiesResponse } from '../propfind-core.js';
import { exists, type ExistingTarget } from '../target.js';
import { dav } from '../xml/names.js';

export const propfind: MethodDef<ExistingTarget> = {
  name: 'PROPFIND',
  allows: exists,
  async handle(req, target) {
    const depth = req.depth('infinity');
    if (depth === 'infinity') {
      throw new DavError(403, 'Depth: infinity is not supported; use 0 or 1', dav('propfind-finite-depth'));
    }
    const body = await req.readXml();
    if (body && body.name !== dav('propfind')) throw new DavError(400, 'Expected a DAV:propfind body');
    const props = parsePropRequest(body);
    const r = target.resource;
    const ctx = { user: req.user };
    const minimal = req.wantsMinimal;
    if (minimal) req.setHeader('Preference-Applied', 'return=minimal');
    const responses = (async function* () {
      yield propertiesResponse(req.context, r, props, ctx, minimal);
      if (depth === '1') {
        for await (const members of req.context.children(r)) {
          yield joinResponses(members.map((m) => propertiesResponse(req.context, m, props, ctx, minimal)));
        }
      }
    })();
    req.respondMultistatus(multistatusChunks(responses));
  },
};
