// Moving whole calendars and address books in and out: the CLI, the web UI and public feeds.
export { findCollection } from './collection-ref.js';
export { exportCollection, type CollectionExport } from './export.js';
export { fileKind, importInto } from './import.js';
export { ImportError, type ImportItem, type ImportOutcome, type ImportReport } from './report.js';
