import { createCollection } from '../webdav/collection-create.js';
import type { MethodDef } from '../webdav/dav.js';
import { DavError } from '../webdav/errors.js';
import { NS, qname } from '../webdav/xml/names.js';
import { calendarKind } from './kind.js';

/** RFC 4791 §5.3.1 */
export const mkcalendar: MethodDef = {
  name: 'MKCALENDAR',
  creates: true,
  allows: (t) => !t.resource && t.parent?.type === 'home' && t.parent.kind === calendarKind,
  async handle(req, target) {
    const body = await req.readXml();
    if (body && body.name !== qname(NS.CALDAV, 'mkcalendar')) throw new DavError(415, 'MKCALENDAR body must be a CALDAV:mkcalendar element');
    await createCollection(req, target, calendarKind, body, qname(NS.CALDAV, 'mkcalendar-response'));
  },
};
