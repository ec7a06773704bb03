// The job queue notifications will be delivered from (JobQueue in src/store/types.ts)
// and its worker, on the suite's engine. Two stores on one database stand for two
// nodes: whichever claims a job delivers it, once, and a node that dies mid-delivery
// only delays it. Jobs are enqueued with the write that causes them and announced at
// commit, never before and never on rollback.

import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { startJobWorker, type JobOutcome } from '../src/store/job-worker.js';
import { openStore } from '../src/store/open.js';
import type { Job, Store } from '../src/store/types.js';
import { freshStoreLocation, openTestStore, TEST_ENGINE } from './helpers/store.js';

const LONG_LEASE = 60_000;
const OPTIONS = { concurrency: 4, leaseMs: LONG_LEASE, pollMs: 20 };

/** Two stores on one fresh database: two nodes. `tweak` may change the PostgreSQL URL. */
async function openTwoNodes(t: TestContext, tweak: (url: URL) => void = () => {}): Promise<[Store, Store]> {
  const location = await freshStoreLocation();
  let url = location.databaseUrl ?? '';
  if (url) {
    const parsed = new URL(url);
    tweak(parsed);
    url = parsed.toString();
  }
  const open = () => openStore({ dataDir: location.dataDir, database: { url, poolSize: 4 } });
  const nodes: [Store, Store] = [await open(), await open()];
  t.after(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    await location.drop();
  });
  return nodes;
}

/** Counts the wakes of a listener; `next()` resolves at the next one. */
function listen(store: Store, queue: string) {
  let count = 0;
  const waiting: (() => void)[] = [];
  store.onJobs(queue, () => {
    count++;
    waiting.splice(0).forEach((resolve) => resolve());
  });
  return { count: () => count, next: () => new Promise<void>((resolve) => waiting.push(resolve)) };
}

/** The node that hears another's commits: on SQLite a process hears only its own. */
const listenerOf = ([a, b]: [Store, Store]) => (TEST_ENGINE === 'postgres' ? b : a);

const payloads = (jobs: Job[]) => jobs.map((j) => j.payload);

test('a job is announced after its transaction commits, and neither kept nor announced on rollback', { timeout: 5000 }, async (t) => {
  const nodes = await openTwoNodes(t);
  const [a] = nodes;
  const wakes = listen(listenerOf(nodes), 'changed');
  await wakes.next(); // subscribed: every listener is woken once, jobs may be waiting

  await assert.rejects(a.transaction(async (tx) => {
    assert.equal(await tx.enqueue({ queue: 'changed', payload: 'lost' }), true);
    throw new Error('rolled back');
  }), /rolled back/);

  const woken = wakes.next();
  await a.transaction(async (tx) => {
    await tx.enqueue({ queue: 'changed', payload: 'kept' });
    await sleep(50);
    assert.equal(wakes.count(), 1, 'not woken before the commit');
  });
  await woken;
  assert.equal(wakes.count(), 2, 'the rollback woke nobody');
  assert.deepEqual(payloads(await a.claimJobs('changed', 10, LONG_LEASE)), ['kept']);
});

test('a key coalesces jobs while one waits, not while it is being delivered', async (t) => {
  const store = await openTestStore(t);
  const changed = (payload: string, key?: string) => store.enqueue({ queue: 'changed', payload, key });
  assert.equal(await changed('1', 'cal-1'), true);
  assert.equal(await changed('2', 'cal-1'), false, 'coalesced');
  assert.equal(await store.enqueue({ queue: 'other', payload: 'x', key: 'cal-1' }), true, 'keys are per queue');
  assert.equal(await changed('3'), true);
  assert.equal(await changed('3'), true, 'no key, no coalescing');

  const [first] = await store.claimJobs('changed', 1, LONG_LEASE);
  assert.equal(first!.payload, '1');
  // The delivery in flight may have read the state before this change: a new job waits.
  assert.equal(await changed('4', 'cal-1'), true);
  assert.equal(await changed('5', 'cal-1'), false);

  // Retried, the claimed job merges into the waiting one: the later time, its attempts.
  const runAt = Date.now() + 200;
  assert.equal(await store.retryJob(first!, runAt), true);
  assert.deepEqual(payloads(await store.claimJobs('changed', 10, LONG_LEASE)), ['3', '3']);
  await sleep(runAt - Date.now() + 20);
  const merged = await store.claimJobs('changed', 10, LONG_LEASE);
  assert.deepEqual(merged.map((j) => [j.payload, j.key, j.attempts]), [['4', 'cal-1', 2]]);
});

test('two nodes deliver 200 jobs, each exactly once', { timeout: 5000 }, async (t) => {
  const nodes = await openTwoNodes(t);
  const deliveries = new Map<number, string[]>();
  const byNode = [0, 0];
  let all!: () => void;
  const allDelivered = new Promise<void>((resolve) => (all = resolve));
  const handler = (node: number) => async (job: Job): Promise<JobOutcome> => {
    await sleep(2);
    deliveries.set(job.id, [...(deliveries.get(job.id) ?? []), job.payload]);
    byNode[node]!++;
    if (deliveries.size === 200) all();
    return 'done';
  };
  const enqueue = (node: Store, from: number) => node.transaction(async (tx) => {
    for (let i = from; i < from + 50; i++) await tx.enqueue({ queue: 'hooks', payload: String(i) });
  });

  // Half waiting when the workers start, half enqueued on both nodes while they run
  // (one transaction after the other: two SQLite stores in one process would block
  // each other's open transaction).
  await enqueue(nodes[0], 0);
  await enqueue(nodes[1], 50);
  const workers = nodes.map((node, i) => startJobWorker(node, 'hooks', handler(i), OPTIONS));
  await enqueue(nodes[0], 100);
  await enqueue(nodes[1], 150);
  await allDelivered;
  await Promise.all(workers.map((w) => w.stop()));

  assert.deepEqual([...deliveries.values()].filter((d) => d.length !== 1), [], 'no job delivered twice');
  assert.equal(new Set([...deliveries.values()].flat()).size, 200);
  assert.ok(byNode.every((n) => n > 0), `both nodes delivered: ${byNode}`);
  assert.deepEqual(await nodes[0].claimJobs('hooks', 10, 0), [], 'all completed');
});

test('a job whose node died mid-delivery is delivered by another once the lease runs out', { timeout: 5000 }, async (t) => {
  const [a, b] = await openTwoNodes(t);
  await a.enqueue({ queue: 'mail', payload: 'invitation' });
  const claimedAt = Date.now();
  const [lost] = await a.claimJobs('mail', 10, 200); // and node a dies
  assert.deepEqual(await b.claimJobs('mail', 10, LONG_LEASE), [], 'not while the lease holds');

  const delivered: { job: Job; at: number }[] = [];
  const worker = startJobWorker(b, 'mail', async (job) => {
    delivered.push({ job, at: Date.now() });
    return 'done';
  }, OPTIONS);
  while (delivered.length === 0) await sleep(10);
  await worker.stop();

  assert.deepEqual(delivered.map((d) => [d.job.id, d.job.attempts]), [[lost!.id, 2]]);
  assert.ok(delivered[0]!.at >= claimedAt + 200, 'not before the lease ran out');
  assert.equal(await a.completeJob(lost!), false, 'the lost claim completes nothing');
  assert.equal(await a.retryJob(lost!, 0), false, 'nor releases it');
});

test('a job due later is not claimed before then', { timeout: 5000 }, async (t) => {
  const store = await openTestStore(t);
  const later = Date.now() + 300;
  await store.enqueue({ queue: 'push', payload: 'scheduled', runAt: later });
  await store.enqueue({ queue: 'push', payload: 'retried', key: 'device-1' });
  const [job] = await store.claimJobs('push', 10, LONG_LEASE);
  assert.equal(await store.retryJob(job!, later), true);

  assert.deepEqual(await store.claimJobs('push', 10, LONG_LEASE), []);
  await sleep(later - Date.now() + 20);
  const due = await store.claimJobs('push', 10, LONG_LEASE);
  assert.deepEqual(due.map((j) => [j.payload, j.attempts]).sort(), [['retried', 2], ['scheduled', 1]]);
  assert.equal(due.find((j) => j.payload === 'retried')!.id, job!.id, 'the same job, retried');
});

test('the worker retries when the handler asks, and after a backoff when it throws', { timeout: 5000 }, async (t) => {
  const store = await openTestStore(t);
  const outcomes: (() => JobOutcome)[] = [
    () => { throw new Error('receiver down'); },
    () => ({ retryAt: Date.now() + 100 }),
    () => 'done',
  ];
  const attempts: { attempts: number; at: number }[] = [];
  const errors: unknown[] = [];
  const worker = startJobWorker(store, 'hooks', async (job) => {
    attempts.push({ attempts: job.attempts, at: Date.now() });
    return outcomes[attempts.length - 1]!();
  }, { ...OPTIONS, onError: (err) => errors.push(err) });
  await store.enqueue({ queue: 'hooks', payload: 'ping' });
  while (attempts.length < 3) await sleep(10);
  await worker.stop();

  assert.deepEqual(attempts.map((a) => a.attempts), [1, 2, 3]);
  assert.ok(attempts[1]!.at - attempts[0]!.at >= 1000, 'a second after the first failure');
  assert.ok(attempts[2]!.at - attempts[1]!.at >= 100, 'when the handler asked');
  assert.deepEqual(errors.map((e) => (e as Error).message), ['receiver down']);
  assert.deepEqual(await store.claimJobs('hooks', 10, 0), [], 'completed');
});

test('stop() waits for the deliveries in flight and claims no more', { timeout: 5000 }, async (t) => {
  const store = await openTestStore(t);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const inHandler = new Promise<void>((resolve) => (started = resolve));
  const delivered: string[] = [];
  const worker = startJobWorker(store, 'hooks', async (job) => {
    started();
    await released;
    delivered.push(job.payload);
    return 'done';
  }, { ...OPTIONS, concurrency: 1 });

  await store.enqueue({ queue: 'hooks', payload: 'slow' });
  await inHandler;
  // A delivery in flight does not hold up writes.
  await store.enqueue({ queue: 'hooks', payload: 'queued' });
  let stopped = false;
  const stopping = worker.stop().then(() => (stopped = true));
  await sleep(50);
  assert.equal(stopped, false, 'still delivering');
  release();
  await stopping;

  assert.deepEqual(delivered, ['slow']);
  assert.deepEqual(payloads(await store.claimJobs('hooks', 10, LONG_LEASE)), ['queued'], 'completed, and no more taken');
});

test('a dropped listener connection is reopened and wakes its listeners', {
  skip: TEST_ENGINE !== 'postgres' && 'PostgreSQL only', timeout: 5000,
}, async (t) => {
  const name = `davenport-jobs-${Math.random().toString(36).slice(2, 10)}`;
  const nodes = await openTwoNodes(t, (url) => url.searchParams.set('application_name', name));
  const wakes = listen(nodes[1], 'changed');
  await wakes.next();

  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  t.after(() => admin.end());
  const reopened = wakes.next();
  const { rowCount } = await admin.query(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND query = 'LISTEN davenport_jobs'",
    [name],
  );
  assert.equal(rowCount, 1, 'one listening connection per store');
  await reopened;

  const woken = wakes.next();
  await nodes[0].enqueue({ queue: 'changed', payload: 'after' });
  await woken;
});
