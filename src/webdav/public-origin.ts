import type { Context } from 'koa';

/**
 * The server's origin as clients reach it, for absolute URLs it hands out (push
 * registrations, channel resource URIs): the configured public URL, else the request's
 * own scheme and host. Not koa's ctx.origin: in koa 3 that is the client's Origin header.
 */
export function publicOrigin(ctx: Context, publicUrl: string): string {
  return publicUrl || `${ctx.protocol}://${ctx.host}`;
}
