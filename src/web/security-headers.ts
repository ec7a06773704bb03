import type { Context } from 'koa';

/**
 * Set on every UI response: no script but our own files (there is no inline script at
 * all), no framing (clickjacking), no Referer (a feed's secret URL must not leak to
 * the sites a page links to), no content-type guessing.
 */
const HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

export function setSecurityHeaders(ctx: Context): void {
  ctx.set(HEADERS);
}
