import { createCollection, kindOfResourceType } from '../collection-create.js';
import type { MethodDef } from '../dav.js';
import { DavError } from '../errors.js';
import { isNewCollectionTarget, type NewCollectionTarget } from '../target.js';
import { dav } from '../xml/names.js';

export const mkcol: MethodDef<NewCollectionTarget> = {
  name: 'MKCOL',
  creates: true,
  allows: isNewCollectionTarget,
  async handle(req, target) {
    const body = await req.readXml();
    if (body && body.name !== dav('mkcol')) throw new DavError(415, 'MKCOL body must be a DAV:mkcol element');
    const kind = kindOfResourceType(req, body, target.parent.kind);
    await createCollection(req, target, kind, body, dav('mkcol-response'));
  },
};
