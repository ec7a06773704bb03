/** What became of one item of an imported file. */
export type ImportOutcome = 'created' | 'updated' | 'unchanged' | 'failed';

export interface ImportItem {
  /** The item's UID; null when it had none that could be read. */
  uid: string | null;
  /** Where it is stored (created, updated, unchanged); null when it failed before having a place. */
  href: string | null;
  outcome: ImportOutcome;
  /** Why it failed. */
  reason?: string;
}

export interface ImportReport {
  items: ImportItem[];
  counts: Record<ImportOutcome, number>;
}

/** A file that cannot be imported at all (not iCalendar/vCard, or into the wrong kind of collection): nothing was written. */
export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

export function reportOf(items: ImportItem[]): ImportReport {
  const counts: Record<ImportOutcome, number> = { created: 0, updated: 0, unchanged: 0, failed: 0 };
  for (const item of items) counts[item.outcome]++;
  return { items, counts };
}
