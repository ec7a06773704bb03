import type { MethodDef } from '../dav.js';

export const options: MethodDef = {
  name: 'OPTIONS',
  allows: () => true,
  handle(req, target) {
    req.setHeader('DAV', req.dav.complianceClasses.join(', '));
    req.setHeader('Allow', req.dav.allowedMethods(target).join(', '));
    req.setHeader('Accept-Patch', 'application/xml');
    req.respond(200);
  },
};
