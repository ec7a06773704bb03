import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { HEALTH_PATH } from './health.js';

// One line per request at info, when the response is finished (or the client went away):
//   {"req":{"id":"…","method":"PROPFIND","path":"/dav/"},"user":"alice","address":"…",
//    "res":{"statusCode":207},"responseTime":4,"msg":"request completed"}
// Only these fields: no headers (Authorization, Cookie, Set-Cookie), no query string (it
// may carry a token). The user is whoever the request signed in as (ctx.state.user, set by
// every entrance that authenticates); the address honours trustProxy (ctx.ip). A
// successful health probe is logged at debug: orchestrators probe every few seconds.

/** A request id a client or proxy sends is kept if it is short, visible ASCII; otherwise one is made. */
const GOOD_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** The request's koa context, for the fields known only once it ran. */
const contexts = new WeakMap<ServerResponse, Context>();

function pathOf(url: string | undefined): string {
  const q = url?.indexOf('?') ?? -1;
  return q < 0 ? (url ?? '') : url!.slice(0, q);
}

/** What the line says once the request is done: who and from where. */
function outcome(res: ServerResponse, val: Record<string, unknown>): Record<string, unknown> {
  const ctx = contexts.get(res);
  const user = (ctx?.state.user as { username?: string } | undefined)?.username;
  return { ...val, user, address: ctx?.ip };
}

/** The request's id (the one sent, if usable), answered back as X-Request-Id. */
function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && GOOD_REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/** The access log: honours X-Request-Id (or makes one) and answers it back. */
export function accessLog(log: Logger): Middleware {
  const logRequest = pinoHttp({
    logger: log,
    wrapSerializers: false,
    serializers: {
      req: (req: IncomingMessage) => ({ id: req.id, method: req.method, path: pathOf(req.url) }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    genReqId: requestId,
    customLogLevel: (req, res) => (res.statusCode === 200 && pathOf(req.url) === HEALTH_PATH ? 'debug' : 'info'),
    customSuccessObject: (_req, res, val: Record<string, unknown>) => outcome(res, val),
    // A 5xx is an outcome like any other here; its error was logged where it happened.
    customErrorObject: (_req, res, _error, val: Record<string, unknown>) => {
      const { err: _err, ...rest } = val;
      return outcome(res, rest);
    },
    customErrorMessage: () => 'request completed',
  });
  return (ctx, next) => {
    // Below info (warn, silent) no request line is ever written (debug is below info):
    // the id is still answered back, without the logger's per-request work.
    if (!log.isLevelEnabled('info')) {
      requestId(ctx.req, ctx.res);
      return next();
    }
    contexts.set(ctx.res, ctx);
    logRequest(ctx.req, ctx.res);
    return next();
  };
}
