import type { MethodDef } from '../dav.js';
import type { Target } from '../target.js';

export const options: MethodDef = {
  name: 'OPTIONS',
  allows: (_t): _t is Target => true,
  handle(req, target) {
    req.setHeader('DAV', req.context.complianceClasses.join(', '));
    req.setHeader('Allow', req.context.allowedMethods(target).join(', '));
    req.setHeader('Accept-Patch', 'application/xml');
    req.respond(200);
  },
};
