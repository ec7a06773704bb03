import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import type { Store, User } from '../store/types.js';

// A web UI sign-in is a random id in an HttpOnly, SameSite cookie; the database keeps
// only its SHA-256 (any node recognises it, a copy of the database signs nobody in) and
// the session's CSRF token. A session ends when it expires, at "Log out", or when the
// account is disabled or deleted (checked on every request).

const COOKIE = 'davenport_session';

export interface SignedIn {
  user: User;
  csrfToken: string;
}

const hashOf = (id: string) => createHash('sha256').update(id).digest('base64url');
export const randomToken = () => randomBytes(32).toString('base64url');

/** The attributes every cookie of the UI has: Secure when the browser reached us over TLS (X-Forwarded-Proto with trustProxy). */
export function cookieAttributes(ctx: Context, maxAgeSeconds: number): string {
  return `Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${ctx.secure ? '; Secure' : ''}`;
}

/** The value of one cookie the browser sent. */
export function readCookie(ctx: Context, name: string): string | undefined {
  for (const part of (ctx.get('Cookie') || '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export class WebSessions {
  constructor(
    private readonly store: Store,
    private readonly lifetimeSeconds: number,
  ) {}

  /** Signs the browser in as `user`: a new session (expired ones are cleared on the way). */
  async start(ctx: Context, user: User): Promise<void> {
    const now = Date.now();
    await this.store.deleteExpiredWebSessions(now);
    const id = randomToken();
    await this.store.createWebSession(hashOf(id), user.id, randomToken(), now + this.lifetimeSeconds * 1000);
    ctx.append('Set-Cookie', `${COOKIE}=${id}; ${cookieAttributes(ctx, this.lifetimeSeconds)}`);
  }

  /** Who the browser is signed in as, if anyone. */
  async current(ctx: Context): Promise<SignedIn | undefined> {
    const id = readCookie(ctx, COOKIE);
    if (!id) return undefined;
    const session = await this.store.getWebSession(hashOf(id), Date.now());
    const user = session && (await this.store.getUserById(session.userId));
    if (!session || !user || user.disabled) return undefined;
    return { user, csrfToken: session.csrfToken };
  }

  async end(ctx: Context): Promise<void> {
    const id = readCookie(ctx, COOKIE);
    if (id) await this.store.deleteWebSession(hashOf(id));
    ctx.append('Set-Cookie', `${COOKIE}=; ${cookieAttributes(ctx, 0)}`);
  }
}
