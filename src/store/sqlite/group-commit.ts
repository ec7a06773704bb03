import type Database from 'better-sqlite3';
import type { WriteLock } from './write-lock.js';

const BUSY_RETRY_MS = 2;
const BUSY_TIMEOUT_MS = 5000;

interface Batch {
  committed: Promise<void>;
  resolve(): void;
  reject(e: unknown): void;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const committed = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  committed.catch(() => {}); // every caller awaits it; a batch nobody waits for must not crash
  return { committed, resolve, reject };
}

/**
 * The COMMIT is the dearest part of a small SQLite write (a WAL frame for every page it
 * touched). Transactions that start in the same turn of the event loop, as concurrent
 * requests do, share one: each runs in a SAVEPOINT of its own, so a failing one undoes
 * only itself, and the shared COMMIT follows at the end of the turn (setImmediate).
 * Nobody hears back before that COMMIT: nothing is acknowledged before it is durable.
 */
export class GroupCommit {
  private batch: Batch | undefined;
  private readonly statements: Record<'begin' | 'savepoint' | 'release' | 'rollbackTo' | 'commit' | 'rollback', Database.Statement>;

  constructor(
    private readonly db: Database.Database,
    private readonly lock: WriteLock,
    /** Runs just before each COMMIT (the reader's snapshot ends there). */
    private readonly beforeCommit: () => void,
  ) {
    this.statements = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      savepoint: db.prepare('SAVEPOINT tx'),
      release: db.prepare('RELEASE tx'),
      rollbackTo: db.prepare('ROLLBACK TO tx'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
    };
  }

  /** Runs `work` as one transaction; resolves once it is committed. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const { result, batch } = await this.lock.run(async () => {
      const batch = await this.open();
      const s = this.statements;
      s.savepoint.run();
      try {
        const result = await work();
        s.release.run();
        return { result, batch };
      } catch (e) {
        if (this.db.inTransaction) {
          s.rollbackTo.run();
          s.release.run();
        } else {
          // SQLite rolled the whole batch back itself (I/O error, disk full): all fail.
          this.batch = undefined;
          batch.reject(e);
        }
        throw e;
      }
    });
    await batch.committed;
    return result;
  }

  /** Commits the open batch now; call holding the lock (e.g. before closing). */
  flush(): void {
    const batch = this.batch;
    if (!batch) return;
    this.batch = undefined;
    try {
      this.beforeCommit();
      this.statements.commit.run();
      batch.resolve();
    } catch (e) {
      if (this.db.inTransaction) this.statements.rollback.run();
      batch.reject(e);
    }
  }

  private async open(): Promise<Batch> {
    if (this.batch) return this.batch;
    await this.begin();
    const batch = (this.batch = newBatch());
    setImmediate(() => void this.lock.run(() => (this.batch === batch ? this.flush() : undefined)));
    return batch;
  }

  /**
   * BEGIN IMMEDIATE, waiting for another connection's write lock (another process on
   * the file) on timers, not in SQLite's busy handler, which would stall the event loop.
   */
  private async begin(): Promise<void> {
    for (let waited = 0; ; waited += BUSY_RETRY_MS) {
      try {
        this.statements.begin.run();
        return;
      } catch (e) {
        if ((e as { code?: string }).code !== 'SQLITE_BUSY' || waited >= BUSY_TIMEOUT_MS) throw e;
        await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_MS));
      }
    }
  }
}
