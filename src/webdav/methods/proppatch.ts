import type { MethodDef } from '../dav.js';
import { DavError } from '../errors.js';
import { multistatus, response } from '../multistatus.js';
import { propertyOwnerOf } from '../dead-properties.js';
import { applyPropertyUpdate, instructionsOf, planPropertyUpdate, planPropstats, PropertyRefused, refusePlan } from '../property-update.js';
import { exists, type ExistingTarget } from '../target.js';
import { dav } from '../xml/names.js';

export const proppatch: MethodDef<ExistingTarget> = {
  name: 'PROPPATCH',
  allows: exists,
  async handle(req, target) {
    const body = await req.readXml();
    if (!body || body.name !== dav('propertyupdate')) throw new DavError(400, 'Expected a DAV:propertyupdate body');
    const r = target.resource;
    const owner = propertyOwnerOf(r);
    const plan = planPropertyUpdate(req.context.properties, r, instructionsOf(body), 'update', owner !== undefined);
    if (plan.ok && owner) {
      try {
        await req.store.transaction((tx) => applyPropertyUpdate(tx, owner, plan));
      } catch (e) {
        if (!(e instanceof PropertyRefused)) throw e;
        refusePlan(plan, e);
      }
    }
    req.respond(207, multistatus(response(r.path, planPropstats(plan))), 'application/xml; charset=utf-8');
  },
};
