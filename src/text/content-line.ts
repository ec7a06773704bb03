// Content lines (RFC 5545 §3.1, RFC 6350 §3.2), the syntax iCalendar and vCard share,
// read as written: for repairing what clients send before ical.js sees it.

/** The unfolded content lines of `text`. */
export function unfoldLines(text: string): string[] {
  return text.replace(/\r?\n[ \t]/g, '').split(/\r?\n/);
}

/** Splits a content line into name, parameter texts and value, honouring quotes. */
export function splitLine(line: string): { name: string; params: string[]; value: string } | null {
  const params: string[] = [];
  let i = 0;
  while (i < line.length && line[i] !== ';' && line[i] !== ':') i++;
  if (i === 0 || i >= line.length) return null;
  const name = line.slice(0, i);
  while (line[i] === ';') {
    let j = i + 1;
    let quoted = false;
    while (j < line.length && (quoted || (line[j] !== ';' && line[j] !== ':'))) {
      if (line[j] === '"') quoted = !quoted;
      j++;
    }
    if (j >= line.length) return null;
    params.push(line.slice(i + 1, j));
    i = j;
  }
  return { name, params, value: line.slice(i + 1) };
}
