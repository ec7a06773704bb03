import type { Logger } from 'pino';
import type { Store } from './types.js';

/** How often each node tidies up; every statement is idempotent, so nodes need not agree who does it. */
const EVERY_MS = 60 * 60 * 1000;

/**
 * Keeps the database from growing without bound: forgets change rows older than the
 * retention (tokens older than that then sync from the start) and expired subscriptions.
 * Runs at start and hourly; returns stop.
 */
export function startMaintenance(store: Store, retentionDays: number, log: Logger): () => void {
  const run = async () => {
    const now = Date.now();
    const changes = await store.pruneChanges(now - retentionDays * 86_400_000);
    const subscriptions = await store.deleteExpiredSubscriptions(now);
    if (changes > 0 || subscriptions > 0) log.info({ changes, subscriptions }, 'pruned change log and expired subscriptions');
  };
  const tick = () => void run().catch((err: unknown) => log.warn({ err }, 'maintenance'));
  tick();
  const timer = setInterval(tick, EVERY_MS).unref();
  return () => clearInterval(timer);
}
