// A long computation written as a generator that yields between its steps (one
// expanded instance, say), so that whoever runs it decides what happens there: run
// straight through, or let other requests have the event loop (design.md: no request
// may hold it long enough to stall others). The formats layer knows no event loop;
// the caller passes its `pause` (an EventLoopTurn's).

export type Steps<T> = Generator<void, T, void>;

/** Runs `steps` straight through. */
export function finish<T>(steps: Steps<T>): T {
  for (;;) {
    const s = steps.next();
    if (s.done) return s.value;
  }
}

/** Runs `steps`, awaiting `pause` after each. */
export async function paced<T>(steps: Steps<T>, pause: () => Promise<void>): Promise<T> {
  for (;;) {
    const s = steps.next();
    if (s.done) return s.value;
    await pause();
  }
}
