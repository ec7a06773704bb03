import bcrypt from 'bcrypt';
import { createHash, randomBytes } from 'node:crypto';
import type { Store, User, UserStore } from '../store/types.js';

/**
 * Who sent a request: the HTTP Basic password is the user's own or one of their app
 * passwords, and the Basic name the user name or the user's e-mail address; where the
 * caller allows it (the JSON API), an app password alone is a Bearer token. bcrypt is
 * deliberately slow, so a successful check is remembered for a while, keyed by the
 * credential *and* the stored hash: changing a password or revoking an app password
 * (which deletes its hash) invalidates the entry at once.
 */
export class Authenticator {
  private readonly verified = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly cacheMs: number,
  ) {}

  async authenticate(authorization: string | undefined, options: { bearer?: boolean } = {}): Promise<User | undefined> {
    const basic = parseBasic(authorization);
    if (basic) return this.basic(basic.username, basic.password);
    const token = options.bearer ? parseBearer(authorization) : undefined;
    const appPassword = token === undefined ? undefined : parseAppPassword(token);
    if (!appPassword) return undefined;
    const user = signsIn(await this.store.getUserById(appPassword.userId));
    if (!user) return void (await takeAsLong(appPassword.secret));
    return (await this.checkAppPassword(user, appPassword)) ? user : undefined;
  }

  private async basic(name: string, password: string): Promise<User | undefined> {
    const user = await this.named(name);
    if (!user) return void (await takeAsLong(password));
    const appPassword = parseAppPassword(password);
    if (appPassword?.userId === user.id && (await this.checkAppPassword(user, appPassword))) return user;
    return (await this.verify(password, user.passwordHash)) ? user : undefined;
  }

  /** The user whose own password this is, by name or e-mail address: the web UI's log-in (app passwords are for programs). */
  async ownPassword(name: string, password: string): Promise<User | undefined> {
    const user = await this.named(name);
    if (!user) return void (await takeAsLong(password));
    return (await this.verify(password, user.passwordHash)) ? user : undefined;
  }

  private async named(name: string): Promise<User | undefined> {
    return signsIn((await this.store.getUser(name)) ?? (name.includes('@') ? await this.store.getUserByEmail(name) : undefined));
  }

  private async checkAppPassword(user: User, { id, secret }: AppPasswordParts): Promise<boolean> {
    const stored = (await this.store.listAppPasswords(user.id)).find((p) => p.id === id);
    if (!stored) {
      await takeAsLong(secret);
      return false;
    }
    // Touched on a fresh check only: at most once per cache period, not on every request.
    return this.verify(secret, stored.hash, () => this.store.touchAppPassword(id, Date.now()));
  }

  /** Whether `secret` matches `hash`; after a fresh (uncached) match, runs `afterFreshMatch`. */
  private async verify(secret: string, hash: string, afterFreshMatch?: () => Promise<void>): Promise<boolean> {
    const key = createHash('sha256').update(`${hash}\0${secret}`).digest('base64');
    const now = Date.now();
    const until = this.verified.get(key);
    if (until !== undefined && until > now) return true;
    if (!(await bcrypt.compare(secret, hash))) return false;
    this.remember(key, now + this.cacheMs);
    await afterFreshMatch?.();
    return true;
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

/**
 * The user unless disabled. Users are read afresh on every request (only password checks
 * are cached), so disabling one refuses their next request, whatever credential it bears.
 */
function signsIn(user: User | undefined): User | undefined {
  return user?.disabled ? undefined : user;
}

/**
 * A bcrypt check against a hash nobody's password matches, so a refusal for a name that
 * does not exist takes as long as one for a wrong password (~150 ms): timing does not
 * tell which user names exist.
 */
const NOBODY_HASH = '$2b$11$5/.uJELfDmQPKhiZOozqBuWDDMdxDt.Vk2di6S6jqca53AsHLGU9q';

async function takeAsLong(secret: string): Promise<void> {
  await bcrypt.compare(secret, NOBODY_HASH);
}

/** What a 401 asks a DAV client (or a scraper) for. */
export const BASIC_CHALLENGE = 'Basic realm="Davenport", charset="UTF-8"';

/**
 * The user a refused header named, for the failed-login log: the Basic name, or the
 * owner of the app password a Bearer token names (one lookup, on failures only).
 */
export async function refusedUserName(store: UserStore, header: string): Promise<string> {
  const token = parseBearer(header);
  const appPassword = token === undefined ? undefined : parseAppPassword(token);
  return (appPassword && (await store.getUserById(appPassword.userId))?.username) ?? claimedName(header);
}

/** The user name a header claims, for throttling and logs: the Basic name, or '(bearer)'. */
export function claimedName(header: string | undefined): string {
  return parseBasic(header)?.username ?? '(bearer)';
}

function parseBasic(header: string | undefined): { username: string; password: string } | undefined {
  const m = header && /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function parseBearer(header: string | undefined): string | undefined {
  return (header && /^Bearer\s+(\S+)\s*$/i.exec(header))?.[1];
}

export const BCRYPT_ROUNDS = 11;

/** The one rule for a new password, wherever it comes from (prompt, environment, first start); throws when broken. */
export function checkNewPassword(password: string, minLength: number): void {
  if (password.length < minLength) throw new Error(`the password must have at least ${minLength} characters`);
}

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_ROUNDS);
}

// An app password reads `dp_<user id>_<app password id>_<secret>`: the ids let it find
// its row without a user name (as a Bearer token) and without trying every hash; only
// the secret is hashed. 24 random bytes make 32 base64url characters.
const SECRET_BYTES = 24;
const APP_PASSWORD = /^dp_(\d{1,15})_(\d{1,15})_([A-Za-z0-9_-]{32})$/;

interface AppPasswordParts {
  userId: number;
  id: number;
  secret: string;
}

function parseAppPassword(text: string): AppPasswordParts | undefined {
  const m = APP_PASSWORD.exec(text);
  return m ? { userId: Number(m[1]), id: Number(m[2]), secret: m[3]! } : undefined;
}

/** Makes the user an app password; returns it (to show once), or undefined when the label is taken. */
export async function issueAppPassword(store: UserStore, user: User, label: string): Promise<string | undefined> {
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  const stored = await store.addAppPassword(user.id, label, await hashPassword(secret));
  return stored && `dp_${user.id}_${stored.id}_${secret}`;
}
