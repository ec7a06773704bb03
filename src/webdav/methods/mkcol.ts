import { createCollection, kindOfResourceType } from '../collection-create.js';
import type { MethodDef } from '../dav.js';
import { DavError } from '../errors.js';
import { dav } from '../xml/names.js';

export const mkcol: MethodDef = {
  name: 'MKCOL',
  creates: true,
  allows: (t) => !t.resource && t.parent?.type === 'home',
  async handle(req, target) {
    const body = await req.readXml();
    if (body && body.name !== dav('mkcol')) throw new DavError(415, 'MKCOL body must be a DAV:mkcol element');
    if (target.parent?.type !== 'home') throw new DavError(409, 'Not a home');
    const kind = kindOfResourceType(req, body, target.parent.kind);
    await createCollection(req, target, kind, body, dav('mkcol-response'));
  },
};
