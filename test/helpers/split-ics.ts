// What a client does before uploading a calendar file to CalDAV: one resource per
// UID, each with the file's VCALENDAR properties minus METHOD (a stored object must
// not have one), the VTIMEZONEs its components refer to, and that UID's components.
//
// Works on the text, line by line, not through ical.js: the components are copied
// byte for byte (line endings included), so data a parser would refuse still reaches
// the server, which is the one to judge it. Further client behaviour:
// - a bare component (a file starting with BEGIN:VEVENT/VTODO/…, no VCALENDAR) is
//   wrapped in a VCALENDAR with VERSION and PRODID, as Evolution and khal do;
// - X- components (Zimbra's X-UNKNOWN) belong to no UID and are not uploaded;
// - a component without UID goes alone (the server should say what is wrong), or,
//   with `assignUids`, gets a generated UID the way Thunderbird's import does.

export interface UploadPart {
  /** The resource body, in the file's line-ending style. */
  text: string;
  /** The UID of its components; null when none and none was assigned. */
  uid: string | null;
  /** Component names in it (VEVENT, VTODO, …), upper-case, without VTIMEZONE. */
  components: string[];
  /** Whether the part is the file unchanged. */
  original: boolean;
}

export interface SplitOptions {
  /** Give each top-level component without UID this UID (index = order in the file). */
  assignUids?: (index: number) => string;
}

export const WRAP_PRODID = '-//Davenport tests//split-ics//EN';

interface Block {
  name: string;
  lines: string[];
}

/** A content line with its continuation lines joined. */
function unfold(lines: string[]): string[] {
  const out: string[] = [];
  for (const l of lines) {
    if ((l.startsWith(' ') || l.startsWith('\t')) && out.length) out[out.length - 1] += l.slice(1);
    else out.push(l);
  }
  return out;
}

const beginOf = (l: string) => /^BEGIN:([A-Za-z0-9-]+)\s*$/.exec(l)?.[1]?.toUpperCase();
const endOf = (l: string) => /^END:([A-Za-z0-9-]+)\s*$/.exec(l)?.[1]?.toUpperCase();

/** Value of the first property `name` directly in `block` (not in nested components). */
function ownProperty(block: Block, name: string): string | null {
  let depth = 0;
  for (const l of unfold(block.lines.slice(1, -1))) {
    if (beginOf(l)) depth++;
    else if (endOf(l)) depth--;
    else if (depth === 0 && new RegExp(`^${name}[;:]`, 'i').test(l)) return l.slice(l.indexOf(':') + 1).trim();
  }
  return null;
}

function referencedTzids(blocks: Block[]): Set<string> {
  const out = new Set<string>();
  for (const b of blocks) {
    for (const l of unfold(b.lines)) {
      for (const m of l.matchAll(/;TZID=("[^"]*"|[^;:]*)/gi)) out.add(m[1]!.replace(/^"|"$/g, ''));
    }
  }
  return out;
}

export function planUpload(text: string, options: SplitOptions = {}): UploadPart[] {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let lines = text.split(/\r?\n/);
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  const firstLine = lines.find((l) => l.trim() !== '') ?? '';
  let wrapped = false;
  if (beginOf(firstLine) && beginOf(firstLine) !== 'VCALENDAR') {
    lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', `PRODID:${WRAP_PRODID}`, ...lines, 'END:VCALENDAR'];
    wrapped = true;
  }
  const whole = (): UploadPart[] => [{ text, uid: null, components: [], original: true }];

  // The VCALENDAR's own properties (with continuation lines) and its components.
  const props: string[] = [];
  const blocks: Block[] = [];
  let depth = 0;
  let current: Block | null = null;
  let calendars = 0;
  for (const l of lines) {
    const b = beginOf(l);
    const e = endOf(l);
    if (b) {
      depth++;
      if (depth === 1) {
        if (b !== 'VCALENDAR') return whole();
        calendars++;
        continue;
      }
      if (depth === 2) current = { name: b, lines: [] };
    }
    if (depth >= 2) current!.lines.push(l);
    else if (depth === 1 && !e) props.push(l);
    if (e) {
      depth--;
      if (depth < 0) return whole();
      if (depth === 1) {
        if (current!.name !== e) return whole();
        blocks.push(current!);
        current = null;
      }
    }
  }
  if (depth !== 0 || calendars !== 1) return whole();

  const timezones = blocks.filter((b) => b.name === 'VTIMEZONE');
  const groups = new Map<string, { uid: string | null; blocks: Block[] }>();
  let index = 0;
  let assigned = false;
  for (const b of blocks) {
    if (b.name === 'VTIMEZONE' || b.name.startsWith('X-')) continue;
    let uid = ownProperty(b, 'UID') || null;
    if (uid === null && options.assignUids) {
      uid = options.assignUids(index);
      b.lines.splice(1, 0, `UID:${uid}`);
      assigned = true;
    }
    index++;
    const key = uid ?? `\0${index}`;
    const g = groups.get(key) ?? { uid, blocks: [] };
    g.blocks.push(b);
    groups.set(key, g);
  }
  const hasMethod = unfold(props).some((l) => /^METHOD[;:]/i.test(l));
  const names = (bs: Block[]) => [...new Set(bs.map((b) => b.name))];
  if (groups.size <= 1 && !hasMethod && !wrapped && !assigned) {
    const g = [...groups.values()][0];
    return [{ text, uid: g?.uid ?? null, components: g ? names(g.blocks) : [], original: true }];
  }
  const keptProps: string[] = [];
  // Keep the original folding of the properties that stay.
  for (let i = 0; i < props.length; i++) {
    const start = props[i]!;
    if (start.startsWith(' ') || start.startsWith('\t')) continue;
    let j = i + 1;
    while (j < props.length && (props[j]!.startsWith(' ') || props[j]!.startsWith('\t'))) j++;
    if (!/^METHOD[;:]/i.test(start)) keptProps.push(...props.slice(i, j));
  }
  return [...groups.values()].map((g) => {
    const tzids = referencedTzids(g.blocks);
    const tzs = timezones.filter((t) => tzids.has(ownProperty(t, 'TZID') ?? ''));
    const body = ['BEGIN:VCALENDAR', ...keptProps, ...[...tzs, ...g.blocks].flatMap((b) => b.lines), 'END:VCALENDAR'];
    return { text: body.join(eol) + eol, uid: g.uid, components: names(g.blocks), original: false };
  });
}

/** The resource bodies a client would PUT for this file. */
export function splitForUpload(text: string, options: SplitOptions = {}): string[] {
  return planUpload(text, options).map((p) => p.text);
}
