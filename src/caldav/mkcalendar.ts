import { CALDAV_NS } from '../davcommon/namespaces.js';
import { createCollection } from '../webdav/collection-create.js';
import type { MethodDef } from '../webdav/dav.js';
import { DavError } from '../webdav/errors.js';
import { isNewCollectionTarget, type NewCollectionTarget } from '../webdav/target.js';
import { qname } from '../webdav/xml/names.js';
import { calendarKind } from './kind.js';

/** RFC 4791 §5.3.1 */
export const mkcalendar: MethodDef<NewCollectionTarget> = {
  name: 'MKCALENDAR',
  creates: true,
  allows: (t): t is NewCollectionTarget => isNewCollectionTarget(t) && t.parent.kind === calendarKind,
  async handle(req, target) {
    const body = await req.readXml();
    if (body && body.name !== qname(CALDAV_NS, 'mkcalendar')) throw new DavError(415, 'MKCALENDAR body must be a CALDAV:mkcalendar element');
    await createCollection(req, target, calendarKind, body, qname(CALDAV_NS, 'mkcalendar-response'));
  },
};
