import type { DavContext } from '../webdav/context.js';
import type { ExportAudience } from '../webdav/kinds.js';
import type { CollectionResource } from '../webdav/resource.js';

export interface CollectionExport {
  contentType: string;
  /** A file name to save it under: the collection's name and the kind's extension. */
  filename: string;
  /** The document, produced a page of members at a time. */
  chunks: AsyncIterable<string | Buffer>;
}

/**
 * A whole calendar as one .ics or address book as one .vcf: what GET on the collection
 * answers (the kind's exportCollection), for the CLI, the web UI and public feeds.
 */
export function exportCollection(context: DavContext, collection: CollectionResource, audience: ExportAudience = 'owner'): CollectionExport {
  const { kind } = collection;
  if (!kind.exportCollection) throw new Error(`a ${kind.name} cannot be exported`);
  const exported = kind.exportCollection(collection.collection, context.store.iterateObjects(collection.collection.id), audience);
  const base = collection.collection.uri.replace(/[^\w.-]/g, '_');
  return { contentType: exported.contentType, filename: `${base}${kind.objectExtension}`, chunks: exported.chunks };
}
