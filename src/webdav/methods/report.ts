import type { MethodDef, ReportDef } from '../dav.js';
import { DavError } from '../errors.js';
import { exists, type ExistingTarget } from '../target.js';
import { dav } from '../xml/names.js';

/** REPORT, dispatching to the first of `reports` that has the body's name and applies here. */
export function report(reports: readonly ReportDef[]): MethodDef<ExistingTarget> {
  return {
    name: 'REPORT',
    allows: exists,
    async handle(req, target) {
      const body = await req.readXml();
      if (!body) throw new DavError(400, 'REPORT needs a body');
      const r = target.resource;
      const def = reports.find((d) => d.name === body.name && d.appliesTo(r));
      if (!def) throw new DavError(403, `Report ${body.name} is not supported on this resource`, dav('supported-report'));
      await def.handle(req, r, body);
    },
  };
}
