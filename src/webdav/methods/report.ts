import type { MethodDef } from '../dav.js';
import { DavError } from '../errors.js';
import { dav } from '../xml/names.js';

export const report: MethodDef = {
  name: 'REPORT',
  allows: (t) => t.resource !== undefined,
  async handle(req, target) {
    const body = await req.readXml();
    if (!body) throw new DavError(400, 'REPORT needs a body');
    const r = target.resource!;
    const def = req.dav.reports.find((d) => d.name === body.name && d.appliesTo(r));
    if (!def) throw new DavError(403, `Report ${body.name} is not supported on this resource`, dav('supported-report'));
    await def.handle(req, r, body);
  },
};
