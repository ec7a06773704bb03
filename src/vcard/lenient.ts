// vCard 3.0/4.0 data real clients write that ical.js refuses, made readable. Only
// ever applied to a copy: stored bytes stay exactly what the client sent.
//
// Mac Address Book and others write vCard 2.1-style bare parameters in 3.0 cards
// ("PHOTO;BASE64:…", "TEL;CELL:…"). A bare BASE64 or B reads as ENCODING=b, any
// other bare parameter as a TYPE. vCard 2.1 itself (quoted-printable, charset
// parameters) stays refused.

import { splitLine, unfoldLines } from '../text/content-line.js';

/** A repaired copy of `text`, or null when there is nothing this module repairs. */
export function repairCard(text: string): string | null {
  let changed = false;
  const out = unfoldLines(text).map((line) => {
    const parsed = splitLine(line);
    if (!parsed || parsed.params.every((p) => p.includes('='))) return line;
    changed = true;
    const params = parsed.params.map((p) => (p.includes('=') ? p : /^(BASE64|B)$/i.test(p) ? 'ENCODING=b' : `TYPE=${p}`));
    return `${parsed.name}${params.map((p) => `;${p}`).join('')}:${parsed.value}`;
  });
  return changed ? out.join('\r\n') : null;
}
