import { DavError } from './errors.js';
import type { DavRequest } from './request.js';

function etagList(header: string): string[] {
  return header.split(',').map((t) => t.trim().replace(/^W\//, '')).filter((t) => t !== '');
}

/**
 * RFC 9110 §13: If-Match / If-None-Match against the current ETag (undefined = the
 * resource does not exist). Fails with 412; writers run this inside the write's
 * transaction, with the collection locked, so the check and the write are atomic.
 */
export function checkPreconditions(req: DavRequest, currentEtag: string | undefined): void {
  const ifMatch = req.header('If-Match');
  if (ifMatch !== undefined) {
    const tags = etagList(ifMatch);
    const ok = currentEtag !== undefined && (tags.includes('*') || tags.includes(currentEtag));
    if (!ok) throw new DavError(412, 'If-Match precondition failed: the resource has changed or does not exist');
  }
  const ifNoneMatch = req.header('If-None-Match');
  if (ifNoneMatch !== undefined && currentEtag !== undefined) {
    const tags = etagList(ifNoneMatch);
    if (tags.includes('*') || tags.includes(currentEtag)) {
      if (req.method === 'GET' || req.method === 'HEAD') throw new DavError(304, 'Not modified');
      throw new DavError(412, 'If-None-Match precondition failed: the resource exists');
    }
  }
}
