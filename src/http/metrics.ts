import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OperationsStore, User } from '../store/types.js';
import { BASIC_CHALLENGE } from './auth.js';

// GET /metrics in the Prometheus text format: requests by method and status, their
// latency, the objects stored and the notifications queued (read from the store at
// scrape time: on PostgreSQL every node reports the whole deployment's), and the
// process's own (CPU, memory, event loop, GC). For admins (Basic) or from loopback (the
// client's address, X-Forwarded-For with trustProxy): it tells who is busy and how much.
// Recording a request costs two label lookups; nothing is read from the store until a scrape.

export const METRICS_PATH = '/metrics';

/** Methods get their own label; anything else is OTHER, so a client cannot make up label values. */
const METHODS = new Set([
  'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'MKCALENDAR',
  'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'REPORT', 'ACL',
]);
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The process's metrics exist once per process, however many servers it runs (tests run several). */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export interface MetricsDeps {
  store: OperationsStore;
  log: Logger;
  /** Who the request's credentials name (throttled; failures logged), as every entrance checks them. */
  authenticate(ctx: Context): Promise<User | undefined>;
}

export function createMetrics({ store, log, authenticate }: MetricsDeps): { record: Middleware; serve: Middleware } {
  const own = new Registry();
  const requests = new Counter({
    name: 'davenport_http_requests_total', help: 'HTTP requests answered, by method and status.',
    labelNames: ['method', 'status'] as const, registers: [own],
  });
  const duration = new Histogram({
    name: 'davenport_http_request_duration_seconds', help: 'Time from a request to the end of its response, by method.',
    labelNames: ['method'] as const, buckets: SECONDS_BUCKETS, registers: [own],
  });
  new Gauge({
    name: 'davenport_objects', help: 'Calendar objects and contact cards stored, in every collection.', registers: [own],
    async collect() {
      this.set(await store.countObjects());
    },
  });
  const queues = new Set<string>(); // a queue once seen reports 0 when empty, rather than vanishing
  new Gauge({
    name: 'davenport_jobs_queued', help: 'Notifications queued (jobs not yet completed), by queue.',
    labelNames: ['queue'] as const, registers: [own],
    async collect() {
      const counts = await store.countJobs();
      for (const queue of Object.keys(counts)) queues.add(queue);
      for (const queue of queues) this.set({ queue }, counts[queue] ?? 0);
    },
  });
  const registry = Registry.merge([processMetrics(), own]);

  const record: Middleware = (ctx, next) => {
    const started = performance.now();
    const method = METHODS.has(ctx.method) ? ctx.method : 'OTHER';
    // 'close' comes once the response is sent, or the client went away.
    ctx.res.once('close', () => {
      requests.inc({ method, status: String(ctx.res.statusCode) });
      duration.observe({ method }, (performance.now() - started) / 1000);
    });
    return next();
  };

  /** Loopback, or an admin's credentials; otherwise a refusal (answered) and false. */
  const allowed = async (ctx: Context): Promise<boolean> => {
    if (isLoopback(ctx.ip)) return true;
    const user = await authenticate(ctx);
    if (user?.admin) return true;
    ctx.type = 'text/plain; charset=utf-8';
    if (user) {
      ctx.status = 403;
      ctx.body = 'Metrics are for admins\n';
    } else {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', BASIC_CHALLENGE);
      ctx.body = 'Authentication required\n';
    }
    return false;
  };

  const serve: Middleware = async (ctx, next) => {
    if (ctx.path !== METRICS_PATH) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.status = 405;
      ctx.set('Allow', 'GET, HEAD');
      return;
    }
    if (!(await allowed(ctx))) return;
    ctx.set('Cache-Control', 'no-store');
    try {
      ctx.body = await registry.metrics();
      ctx.type = registry.contentType;
    } catch (e) {
      log.warn({ err: e }, 'metrics: the store does not answer');
      ctx.status = 503;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'The database does not answer\n';
    }
  };

  return { record, serve };
}
