// No request may hold the event loop long enough to stall others (design.md). Loops
// whose steps each cost a bounded but real amount (rendering or filtering a member)
// pause between steps: once this request has had the loop for a slice, everything
// waiting (other requests' I/O and timers) runs first.

import { setImmediate } from 'node:timers/promises';

const SLICE_MS = 10;

export class EventLoopTurn {
  private since = performance.now();

  /** Free while the slice lasts; after it, resolves once the waiting work has run. */
  async pause(): Promise<void> {
    if (performance.now() - this.since < SLICE_MS) return;
    await setImmediate();
    this.since = performance.now();
  }
}
