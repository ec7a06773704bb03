/**
 * This process's job listeners, by queue (Store.onJobs). A wake calls them on a later
 * turn of the event loop, so a listener never runs inside the commit that woke it, nor
 * (on SQLite) while that transaction still holds the one writer. (Not an EventEmitter:
 * a queue may be called 'error'.)
 */
export class JobWakeups {
  private readonly listeners = new Map<string, Set<() => void>>();

  on(queue: string, listener: () => void): () => void {
    const set = this.listeners.get(queue) ?? new Set();
    this.listeners.set(queue, set.add(listener));
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(queue) === set) this.listeners.delete(queue);
    };
  }

  wake(queue: string): void {
    const set = this.listeners.get(queue);
    if (set) setImmediate(() => set.forEach((listener) => listener()));
  }

  /** After wakes may have been missed (a lost connection): every queue may have work. */
  wakeAll(): void {
    for (const queue of this.listeners.keys()) this.wake(queue);
  }
}
