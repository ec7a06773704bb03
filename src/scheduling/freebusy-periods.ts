// Busy time as free-busy answers carry it: periods of one FBTYPE each, clipped to the
// range asked about, never overlapping, adjacent ones of one type joined.

export type BusyType = 'BUSY' | 'BUSY-TENTATIVE' | 'BUSY-UNAVAILABLE';

/** [start, end) in epoch ms. */
export interface BusyPeriod {
  start: number;
  end: number;
  type: BusyType;
}

/** One of several overlapping claims on the time line; where they overlap the highest rank holds. */
export interface Claim<T> {
  start: number;
  end: number;
  rank: number;
  value: T;
}

/**
 * Splits the time line into the segments where some claim holds, each taking the value
 * of the highest-ranked claim covering it; adjacent segments with equal values are one.
 * A sweep over the claims' ends with a heap of the open ones: O(n log n).
 */
export function strongestCover<T>(claims: readonly Claim<T>[]): { start: number; end: number; value: T }[] {
  const edges: { at: number; claim: number; opens: boolean }[] = [];
  claims.forEach((c, i) => {
    if (c.end <= c.start) return;
    edges.push({ at: c.start, claim: i, opens: true }, { at: c.end, claim: i, opens: false });
  });
  edges.sort((a, b) => a.at - b.at);
  const open = new MaxHeap((i) => claims[i]!.rank);
  const closed = new Set<number>();
  const out: { start: number; end: number; value: T }[] = [];
  let from = 0;
  for (let e = 0; e < edges.length; ) {
    const at = edges[e]!.at;
    const top = open.peek();
    if (top !== undefined && at > from) {
      const value = claims[top]!.value;
      const last = out[out.length - 1];
      if (last && last.end === from && last.value === value) last.end = at;
      else out.push({ start: from, end: at, value });
    }
    for (; e < edges.length && edges[e]!.at === at; e++) {
      const { claim, opens } = edges[e]!;
      if (opens) open.push(claim);
      else closed.add(claim);
    }
    while (open.peek() !== undefined && closed.has(open.peek()!)) open.pop();
    from = at;
  }
  return out;
}

/** Where busy times overlap, a meeting shows over a tentative one, both over time outside availability. */
const RANK: Record<BusyType, number> = { 'BUSY-UNAVAILABLE': 1, 'BUSY-TENTATIVE': 2, BUSY: 3 };

/** The periods clipped to [lo, hi), merged, in time order. */
export function mergeBusy(periods: readonly BusyPeriod[], lo: number, hi: number): BusyPeriod[] {
  const claims: Claim<BusyType>[] = [];
  for (const p of periods) {
    const start = Math.max(p.start, lo), end = Math.min(p.end, hi);
    if (end > start) claims.push({ start, end, rank: RANK[p.type], value: p.type });
  }
  return strongestCover(claims).map((s) => ({ start: s.start, end: s.end, type: s.value }));
}

/** A binary max-heap of claim indices by rank. */
class MaxHeap {
  private readonly items: number[] = [];

  constructor(private readonly rank: (i: number) => number) {}

  peek(): number | undefined {
    return this.items[0];
  }

  push(i: number): void {
    const a = this.items;
    a.push(i);
    for (let k = a.length - 1; k > 0; ) {
      const parent = (k - 1) >> 1;
      if (this.rank(a[parent]!) >= this.rank(a[k]!)) break;
      [a[parent], a[k]] = [a[k]!, a[parent]!];
      k = parent;
    }
  }

  pop(): void {
    const a = this.items;
    const last = a.pop()!;
    if (a.length === 0) return;
    a[0] = last;
    for (let k = 0; ; ) {
      const l = 2 * k + 1, r = l + 1;
      let top = k;
      if (l < a.length && this.rank(a[l]!) > this.rank(a[top]!)) top = l;
      if (r < a.length && this.rank(a[r]!) > this.rank(a[top]!)) top = r;
      if (top === k) break;
      [a[top], a[k]] = [a[k]!, a[top]!];
      k = top;
    }
  }
}
