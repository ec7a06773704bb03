import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Context } from 'koa';
import { installPath } from '../install-dir.js';

// The UI's static files, read once at start. They live in src/web/static/ and are read
// from there by the compiled code too.
const DIR = installPath('src', 'web', 'static');

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = { css: 'text/css; charset=utf-8', svg: 'image/svg+xml' };

function load(name: string): Asset {
  const body = readFileSync(path.join(DIR, name));
  return { body, type: TYPES[name.split('.').pop()!]!, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` };
}

export const STYLESHEET_PATH = '/web/static/style.css';
export const ICON_PATH = '/web/static/icon.svg';
const icon = load('icon.svg');
// /favicon.ico too: browsers ask for it on their own, and DAV would answer it with a Basic challenge.
const ASSETS = new Map([[STYLESHEET_PATH, load('style.css')], [ICON_PATH, icon], ['/favicon.ico', icon]]);

/** Answers a static file's GET; false when the path is none. */
export function serveStatic(ctx: Context): boolean {
  const asset = ASSETS.get(ctx.path);
  if (!asset) return false;
  ctx.set('ETag', asset.etag);
  ctx.set('Cache-Control', 'public, max-age=3600');
  if (ctx.get('If-None-Match') === asset.etag) {
    ctx.status = 304;
    return true;
  }
  ctx.type = asset.type;
  ctx.body = asset.body;
  return true;
}
