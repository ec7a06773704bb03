import type { ReportData } from '../webdav/propfind-core.js';
import type { Resource } from '../webdav/resource.js';

/**
 * The stored bytes of the object a data property is asked of (the report or PROPFIND
 * reads every member it shows before answering); undefined for anything else.
 */
export function reportedData({ loaded }: ReportData, r: Resource): Buffer | undefined {
  return r.type === 'object' ? loaded.get(r.object.uri) : undefined;
}
