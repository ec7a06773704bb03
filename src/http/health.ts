import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { OperationsStore } from '../store/types.js';

// GET /health, for load balancers, container health checks and orchestrators: no
// credentials, 200 {"status":"ok","database":"ok"} after one real round trip to the
// database, 503 when the database does not answer (in time). It says nothing else about
// the server, so it can be open to anyone.

export const HEALTH_PATH = '/health';
/** Longer than any healthy round trip; shorter than the probes' own timeouts (Docker's is set to 5 s). */
const DATABASE_TIMEOUT_MS = 3_000;

function withinTimeout(work: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${DATABASE_TIMEOUT_MS} ms`)), DATABASE_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function healthCheck(store: OperationsStore, log: Logger): Middleware {
  return async (ctx, next) => {
    if (ctx.path !== HEALTH_PATH) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.status = 405;
      ctx.set('Allow', 'GET, HEAD');
      return;
    }
    let database = 'ok';
    try {
      await withinTimeout(store.ping());
    } catch (e) {
      log.warn({ err: e }, 'health check: the database does not answer');
      database = 'error';
    }
    ctx.status = database === 'ok' ? 200 : 503;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: database === 'ok' ? 'ok' : 'unavailable', database };
  };
}
