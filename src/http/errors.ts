import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { DavError } from '../webdav/errors.js';
import { dav } from '../webdav/xml/names.js';
import { el, textEl, xmlDocument } from '../webdav/xml/write.js';

const MESSAGE = '{urn:davenport:ns}message';

/**
 * Turns a DavError into its status and, when it names a precondition, a DAV:error body
 * (RFC 4918 §16) that also carries a human-readable reason. Anything else is a bug: it
 * is logged and answered with a 500 that reveals nothing.
 */
export function errorHandler(log: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (e) {
      if (!(e instanceof DavError)) {
        log.error({ err: e, method: ctx.method, path: ctx.path }, 'unhandled error');
        ctx.status = 500;
        ctx.type = 'text/plain; charset=utf-8';
        ctx.body = 'Internal server error\n';
        return;
      }
      ctx.status = e.status;
      for (const [k, v] of Object.entries(e.headers ?? {})) ctx.set(k, v);
      if (e.status === 304) return;
      if (e.precondition) {
        ctx.type = 'application/xml; charset=utf-8';
        ctx.body = xmlDocument(dav('error'), el(e.precondition, e.detailXml ?? '') + textEl(MESSAGE, e.message));
      } else {
        ctx.type = 'text/plain; charset=utf-8';
        ctx.body = `${e.message}\n`;
      }
    }
  };
}
