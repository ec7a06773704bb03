import type { ReportProperties } from '../webdav/propfind-core.js';
import type { CollectionResource, Resource } from '../webdav/resource.js';
import type { XmlElement } from '../webdav/xml/parse.js';
import type { RawParts } from '../webdav/xml/raw.js';

/** Object data a report already read (uri → bytes), and where spliced raw data goes. */
export interface ReportData {
  loaded: Map<string, Buffer>;
  raw: RawParts;
}

/**
 * The stored bytes of the object a report property is asked of (the report reads every
 * member it shows before answering); undefined for anything else.
 */
export function reportedData({ loaded }: ReportData, r: Resource): Buffer | undefined {
  return r.type === 'object' ? loaded.get(r.object.uri) : undefined;
}

/** Builds a report's properties (calendar-data, address-data) from its body. */
export type ReportPropertiesFactory = (
  body: XmlElement,
  collection: CollectionResource,
  data: ReportData,
) => ReportProperties;
