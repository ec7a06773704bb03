import type { Logger } from 'pino';
import type { NotificationConfig } from '../config.js';
import { startJobWorker, type JobOutcome, type JobWorker } from '../store/job-worker.js';
import type { Job, Store, StoreSession, Subscription } from '../store/types.js';
import type { ChangeListener } from '../webdav/changes.js';
import type { Transport } from './transport.js';

// From a write to a subscriber: the write's change listener queues one delivery job per
// subscription to the changed collection (or its home), inside the write's transaction;
// a burst of writes coalesces into the one job still waiting. The delivery worker, on
// whichever node claims the job, makes one attempt through the subscription's transport
// and retries passing failures with exponential backoff until giveUpSeconds.

const QUEUE = 'deliver';

export type DeliveryReason = 'subscribed' | 'changed';

interface DeliveryJob {
  publicId: string;
  collectionId: number | null;
  reason: DeliveryReason;
  /** When the first of the coalesced changes was queued (epoch ms): retries stop giveUpSeconds after it. */
  queuedAt: number;
}

/** Queues a notification for one subscription, with the session's transaction. */
export async function enqueueDelivery(tx: StoreSession, subscription: Subscription, collectionId: number | null, reason: DeliveryReason): Promise<void> {
  const payload: DeliveryJob = { publicId: subscription.publicId, collectionId, reason, queuedAt: Date.now() };
  // A subscription's first message must not be merged into a change's (nor the other way round).
  await tx.enqueue({ queue: QUEUE, key: `${subscription.publicId}:${reason}`, payload: JSON.stringify(payload) });
}

/**
 * The change listener that queues notifications: one indexed lookup per write, nothing
 * more when nobody listens. A transport may spare a subscription the writer asked to spare.
 */
export function queueNotifications(transports: Transport[]): ChangeListener {
  const byName = new Map(transports.map((t) => [t.name, t]));
  return async (tx, { collection, origin }) => {
    const subscriptions = await tx.subscriptionsFor(collection.id, collection.ownerId, collection.kind, Date.now());
    for (const subscription of subscriptions) {
      if (!byName.get(subscription.transport)?.spares?.(subscription, origin)) await enqueueDelivery(tx, subscription, collection.id, 'changed');
    }
  };
}

const FIRST_RETRY_MS = 1000;

/**
 * Delivers queued notifications on this node until stopped. Every node may run one: each
 * job is delivered by one of them (see JobQueue).
 */
export function startDeliveryWorker(store: Store, transports: Transport[], config: NotificationConfig, log: Logger): JobWorker {
  const byName = new Map(transports.map((t) => [t.name, t]));
  const deliver = async (job: Job): Promise<JobOutcome> => {
    const { publicId, collectionId, reason, queuedAt } = JSON.parse(job.payload) as DeliveryJob;
    const subscription = await store.getSubscription(publicId);
    const transport = subscription && byName.get(subscription.transport);
    if (!subscription || !transport || subscription.expiresAt <= Date.now()) return 'done'; // stopped, expired: nothing more
    const collection = collectionId === null ? undefined : await store.getCollectionById(collectionId);
    const outcome = await transport.deliver({ subscription, collection, reason }).catch((err: unknown) => {
      log.debug({ err, subscription: publicId }, 'notification failed');
      return 'retry' as const;
    });
    if (outcome === 'gone') await store.deleteSubscription(subscription.id);
    if (outcome !== 'retry') return 'done';
    const retryAt = Date.now() + FIRST_RETRY_MS * 2 ** (job.attempts - 1);
    if (retryAt > queuedAt + config.giveUpSeconds * 1000) {
      log.info({ subscription: publicId, attempts: job.attempts }, 'notification given up');
      return 'done';
    }
    return { retryAt };
  };
  return startJobWorker(store, QUEUE, deliver, {
    concurrency: 8, leaseMs: 60_000, pollMs: 1000,
    onError: (err, job) => log.warn({ err, job: job?.id }, 'notification delivery'),
  });
}
