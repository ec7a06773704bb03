import type { Logger } from 'pino';
import { DavError } from '../webdav/errors.js';

// Brute force meets resistance (issue: 200 wrong passwords at 8/s met none). Failures
// are counted per address and per user name: after FREE_FAILURES each further failure
// is answered later and later, and after LOCK_AFTER (more for an address, which may be
// a whole office behind NAT) the key is locked, answered 429 with Retry-After, for a
// time that doubles with each failure after the lock ends.
// A user's lock is short (the owner, on another address, is back in a minute after
// the attack stops); an address's can grow to a quarter of an hour. Counts are
// forgotten FORGET_MS after the last failure. Every failure is logged at warn with
// the name and address (never the password), so fail2ban can act on it.

const FREE_FAILURES = 5;
const LOCK_AFTER = { address: 20, user: 10 };
const FIRST_DELAY_MS = 100;
const MAX_LOCK_MS = { address: 15 * 60_000, user: 60_000 };
const FORGET_MS = 15 * 60_000;
/** Keys remembered at most: an attacker with many addresses cannot fill memory. */
const MAX_KEYS = 100_000;

interface Failures {
  count: number;
  last: number;
  lockedUntil: number;
}

export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(private readonly log: Logger) {}

  /** Refuses with 429 while the address or the name is locked. */
  check(address: string, name: string): void {
    const now = Date.now();
    const until = Math.max(this.entry(`a:${address}`, now)?.lockedUntil ?? 0, this.entry(`u:${name}`, now)?.lockedUntil ?? 0);
    if (until > now) {
      const seconds = String(Math.ceil((until - now) / 1000));
      throw new DavError(429, 'Too many failed logins; try again later', undefined, undefined, { 'Retry-After': seconds });
    }
  }

  /**
   * Waits as long as the failures so far say, then records this one: a lock it brings
   * starts when the refusal is answered, so a lock is never spent while its answer waits.
   * `logName` is the name the log shows, when it knows better than the throttle's key (a Bearer token's owner).
   */
  async failed(address: string, name: string, logName = name): Promise<void> {
    this.log.warn({ user: logName, address }, 'failed login');
    const now = Date.now();
    const worst = Math.min(1 + Math.max(this.entry(`a:${address}`, now)?.count ?? 0, this.entry(`u:${name}`, now)?.count ?? 0), LOCK_AFTER.user);
    if (worst > FREE_FAILURES) await new Promise((resolve) => setTimeout(resolve, FIRST_DELAY_MS * 2 ** (worst - FREE_FAILURES - 1)));
    const answered = Date.now();
    this.count(`a:${address}`, answered, 'address');
    this.count(`u:${name}`, answered, 'user');
  }

  /** The name's owner got in: its count starts over (an address's does not: an attacker could log in to their own account). */
  succeeded(name: string): void {
    this.failures.delete(`u:${name}`);
  }

  private entry(key: string, now: number): Failures | undefined {
    const f = this.failures.get(key);
    if (f && now - f.last > FORGET_MS && f.lockedUntil <= now) {
      this.failures.delete(key);
      return undefined;
    }
    return f;
  }

  private count(key: string, now: number, kind: 'address' | 'user'): void {
    const f = this.entry(key, now) ?? { count: 0, last: now, lockedUntil: 0 };
    f.count++;
    f.last = now;
    if (f.count >= LOCK_AFTER[kind]) f.lockedUntil = now + Math.min(1000 * 2 ** (f.count - LOCK_AFTER[kind]), MAX_LOCK_MS[kind]);
    this.failures.delete(key); // re-inserted: Map order is then oldest failure first, for eviction
    if (this.failures.size >= MAX_KEYS) this.failures.delete(this.failures.keys().next().value!);
    this.failures.set(key, f);
  }
}
