// How many mails one sender may hand the iMIP listener per minute: a fixed one-minute
// window per key, in this process's memory (a sender over the limit is told to come
// back later, 4xx, which mail servers do). Bounded: an attacker with many sender
// addresses cannot fill memory, at worst they empty it early.

const WINDOW_MS = 60_000;
const MAX_KEYS = 100_000;

export class RateLimit {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly perMinute: number) {}

  /** Counts one for `key`; false when that is over the limit. */
  take(key: string, now = Date.now()): boolean {
    let w = this.windows.get(key);
    if (!w || now - w.start >= WINDOW_MS) {
      if (!w && this.windows.size >= MAX_KEYS) this.forgetOld(now);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count += 1;
    return w.count <= this.perMinute;
  }

  private forgetOld(now: number): void {
    for (const [key, w] of this.windows) if (now - w.start >= WINDOW_MS) this.windows.delete(key);
    if (this.windows.size >= MAX_KEYS) this.windows.clear();
  }
}
