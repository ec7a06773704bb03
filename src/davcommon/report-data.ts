import type { ReportProperties } from '../webdav/propfind-core.js';
import type { DavRequest } from '../webdav/request.js';
import type { CollectionResource, Resource } from '../webdav/resource.js';
import type { XmlElement } from '../webdav/xml/parse.js';
import type { RawParts } from '../webdav/xml/raw.js';

/** Object data a report already read (uri → bytes), and where spliced raw data goes. */
export interface ReportData {
  loaded: Map<string, Buffer>;
  raw: RawParts;
}

/** The stored bytes of the object a report property is asked of; undefined for anything else. */
export async function reportedData(req: DavRequest, { loaded }: ReportData, r: Resource): Promise<Buffer | undefined> {
  if (r.type !== 'object') return undefined;
  return loaded.get(r.object.uri) ?? (await req.store.getObject(r.collection.id, r.object.uri))?.data;
}

/** Builds a report's properties (calendar-data, address-data) from its body. */
export type ReportPropertiesFactory = (
  req: DavRequest,
  body: XmlElement,
  collection: CollectionResource,
  data: ReportData,
) => ReportProperties;
