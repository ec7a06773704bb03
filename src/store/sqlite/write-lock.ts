/**
 * SQLite allows one writer: transactions that await in between their statements take
 * turns here, in arrival order. Free, it runs the work at once, in the same tick.
 */
export class WriteLock {
  private held = false;
  private readonly waiting: (() => void)[] = [];

  async run<T>(work: () => T | Promise<T>): Promise<T> {
    if (this.held) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.held = true;
    try {
      return await work();
    } finally {
      // Handed straight to the next in line, so nobody can slip in between.
      const next = this.waiting.shift();
      if (next) next();
      else this.held = false;
    }
  }
}
