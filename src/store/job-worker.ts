import type { Job, Store } from './types.js';

/** What became of a delivery: done (the job is deleted), or try again at retryAt (epoch ms). */
export type JobOutcome = 'done' | { retryAt: number };

export interface JobWorkerOptions {
  /** Deliveries in flight at once on this node. */
  concurrency: number;
  /** How long a claim holds: a delivery that takes longer may be made again by another node. */
  leaseMs: number;
  /** Claims at least this often: jobs that come due later, and leases that ran out, wake nobody. */
  pollMs: number;
  /** Told of a handler that threw and of store errors; the worker carries on. Default: console.warn. */
  onError?: (err: unknown, job: Job | undefined) => void;
}

export interface JobWorker {
  /** Claims no more and resolves once the deliveries in flight have ended. */
  stop(): Promise<void>;
}

const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 3_600_000;

/** When a job whose handler threw runs again: 1 s after its first attempt, doubling, at most an hour. */
function retryAfterFailure(attempts: number): number {
  return Date.now() + Math.min(FIRST_BACKOFF_MS * 2 ** (attempts - 1), MAX_BACKOFF_MS);
}

/**
 * Delivers the jobs of one queue on this node: claims a batch whenever the store says
 * jobs were committed and every pollMs, runs `handler` on each, then completes or
 * retries it. It runs beside request handling, never inside it, so a delivery never
 * delays the write that enqueued it. Every node may run one per queue: each job is
 * delivered once while its lease holds (see JobQueue).
 */
export function startJobWorker(
  store: Store,
  queue: string,
  handler: (job: Job) => Promise<JobOutcome>,
  options: JobWorkerOptions,
): JobWorker {
  const onError = options.onError ?? ((err, job) => console.warn(`job ${job?.id ?? '-'} of ${queue}:`, err));
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let claiming: Promise<void> | undefined;
  let wokenWhileClaiming = false;

  const deliver = async (job: Job) => {
    let outcome: JobOutcome;
    try {
      outcome = await handler(job);
    } catch (err) {
      onError(err, job);
      outcome = { retryAt: retryAfterFailure(job.attempts) };
    }
    // If this fails the lease runs out and the job comes round again.
    await (outcome === 'done' ? store.completeJob(job) : store.retryJob(job, outcome.retryAt)).catch((err) => onError(err, job));
  };

  /** Fills the free slots. A full batch: more may be due, claimed as deliveries end. */
  const claim = async () => {
    const free = options.concurrency - inFlight.size;
    if (free <= 0) return; // a delivery ending wakes us
    for (const job of await store.claimJobs(queue, free, options.leaseMs)) {
      const delivery = deliver(job).finally(() => {
        inFlight.delete(delivery);
        wake();
      });
      inFlight.add(delivery);
    }
  };

  /** One claim at a time; woken meanwhile, it claims again once that one is over. */
  const wake = () => {
    if (stopped) return;
    if (claiming) {
      wokenWhileClaiming = true;
      return;
    }
    wokenWhileClaiming = false;
    claiming = claim()
      .catch((err) => onError(err, undefined))
      .finally(() => {
        claiming = undefined;
        if (wokenWhileClaiming) wake();
      });
  };

  const unsubscribe = store.onJobs(queue, wake);
  const poll = setInterval(wake, options.pollMs).unref();

  return {
    async stop() {
      stopped = true;
      unsubscribe();
      clearInterval(poll);
      await claiming; // its jobs are claimed: delivered, not left to their lease
      await Promise.all(inFlight);
    },
  };
}
