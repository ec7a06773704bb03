import bcrypt from 'bcrypt';
import { createHash } from 'node:crypto';
import type { Store, User } from '../store/types.js';

/**
 * HTTP Basic authentication against bcrypt hashes. bcrypt is deliberately slow, so a
 * successful check is remembered for a while, keyed by the credentials *and* the stored
 * hash: changing a password invalidates the entry at once.
 */
export class Authenticator {
  private readonly verified = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly cacheMs: number,
    /** Called after a fresh (uncached) successful check, e.g. to create default collections. */
    private readonly onFirstLogin: (user: User) => Promise<void> = async () => {},
  ) {}

  async authenticate(authorization: string | undefined): Promise<User | undefined> {
    const credentials = parseBasic(authorization);
    if (!credentials) return undefined;
    const user = await this.store.getUser(credentials.username);
    if (!user) return undefined;
    const key = createHash('sha256').update(`${user.passwordHash}\0${credentials.password}`).digest('base64');
    const now = Date.now();
    const until = this.verified.get(key);
    if (until !== undefined && until > now) return user;
    if (!(await bcrypt.compare(credentials.password, user.passwordHash))) return undefined;
    this.remember(key, now + this.cacheMs);
    await this.onFirstLogin(user);
    return user;
  }

  private remember(key: string, until: number): void {
    // Bounded: drop expired entries when the map grows, so bad actors cannot fill memory.
    if (this.verified.size >= 10_000) {
      const now = Date.now();
      for (const [k, t] of this.verified) if (t <= now) this.verified.delete(k);
      if (this.verified.size >= 10_000) this.verified.clear();
    }
    if (this.cacheMs > 0) this.verified.set(key, until);
  }
}

function parseBasic(header: string | undefined): { username: string; password: string } | undefined {
  const m = header && /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export const BCRYPT_ROUNDS = 11;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_ROUNDS);
}
