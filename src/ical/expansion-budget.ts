// What one request may spend on expanding recurrences (RFC 4791 §9.6.5 calendar-data
// expand). An endless FREQ=MINUTELY series expanded over a century is tens of
// megabytes and seconds of CPU; past these bounds the answer stops with an explicit
// error instead (the design's "no silent caps").

import type ICAL from 'ical.js';

export interface ExpansionLimits {
  /** Rendering costs about 15 µs an instance, so this also bounds how long one object holds the event loop. */
  instances: number;
  /** Estimated from the size of the components the instances copy, before any is rendered. */
  bytes: number;
  milliseconds: number;
}

/** Per request. */
export const EXPANSION_LIMITS: ExpansionLimits = { instances: 10_000, bytes: 10 * 1024 * 1024, milliseconds: 5_000 };

export class ExpansionLimitError extends Error {}

/** The expansion one request has left; every expanded instance is charged to it. */
export class ExpansionBudget {
  private instances: number;
  private bytes: number;
  private readonly deadline: number;
  private readonly sizes = new WeakMap<ICAL.Component, number>();

  constructor(private readonly limits = EXPANSION_LIMITS) {
    this.instances = limits.instances;
    this.bytes = limits.bytes;
    this.deadline = performance.now() + limits.milliseconds;
  }

  /** One more instance, a copy of `comp`; throws once any bound is passed. */
  charge(comp: ICAL.Component): void {
    let size = this.sizes.get(comp);
    if (size === undefined) this.sizes.set(comp, (size = comp.toString().length));
    if (--this.instances < 0) throw new ExpansionLimitError(`the expansion makes more than ${this.limits.instances} instances`);
    if ((this.bytes -= size) < 0) throw new ExpansionLimitError(`the expansion makes more than ${this.limits.bytes} bytes`);
    if (performance.now() > this.deadline) throw new ExpansionLimitError(`the expansion takes longer than ${this.limits.milliseconds} ms`);
  }
}
