// iCalendar and vCard parse into the same jCal/jCard shape, [name, properties,
// components]. Real data nests three deep (VCALENDAR > VEVENT > VALARM); whatever walks
// a tree recursively (ical.js, the filters, the writers) must never meet thousands, so
// both formats refuse deeper trees right after parsing.

export const MAX_NESTING = 16;

/** Whether a jCal/jCard tree nests deeper than MAX_NESTING, walked without recursion. */
export function nestsTooDeep(tree: unknown[]): boolean {
  const stack: [unknown[], number][] = [[tree, 1]];
  while (stack.length > 0) {
    const [component, depth] = stack.pop()!;
    if (depth > MAX_NESTING) return true;
    for (const sub of (component[2] as unknown[][] | undefined) ?? []) stack.push([sub, depth + 1]);
  }
  return false;
}
