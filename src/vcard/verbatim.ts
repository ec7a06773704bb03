// A card's content lines as written. ical.js unfolds and splits them, but with a design
// set that knows no value types, so values stay exactly as the client wrote them: its
// typed readers and writers are not lossless (e.g. "REV:2016-11-19T17:44:22.057Z" or
// "BDAY:1996-04-15T201243+04:00" come back altered). Conversion and property selection
// work on these, so what they return is what was stored, minus or plus what they change.

import ICAL from 'ical.js';
import { repairCard } from './lenient.js';

type Params = Record<string, string | string[]>;
/** [name, parameters, value type ('unknown' unless VALUE= was given), value as written] */
export type RawProperty = [string, Params, string, string];

const VERBATIM: ReturnType<typeof ICAL.design.getDesignSet> = {
  value: {},
  param: { type: { multiValue: ',' } },
  property: {},
  propertyGroups: true,
};

/** The properties between BEGIN:VCARD and END:VCARD, VERSION included. */
export function readProperties(text: string): RawProperty[] {
  const props: RawProperty[] = [];
  ICAL.parse._eachLine(text, (_err, line) => {
    // ical.js opens and closes components on these instead of returning a property.
    if (/^(begin|end):/i.test(line)) return;
    props.push(readProperty(line));
  });
  return props;
}

/** One content line; one ical.js refuses (a vCard 2.1-style bare parameter) read as lenient.ts repairs it, as at PUT. */
function readProperty(line: string): RawProperty {
  try {
    return ICAL.parse.property(line, VERBATIM) as RawProperty;
  } catch (e) {
    const repaired = repairCard(line);
    if (repaired === null) throw e;
    return ICAL.parse.property(repaired, VERBATIM) as RawProperty;
  }
}

/** A card from properties, VERSION first (4.0 requires it there), folded, CRLF. */
export function writeCard(version: string, props: RawProperty[]): string {
  const lines = ['BEGIN:VCARD', `VERSION:${version}`];
  for (const p of props) if (p[0] !== 'version') lines.push(ICAL.stringify.property(p, VERBATIM, false));
  lines.push('END:VCARD', '');
  return lines.join('\r\n');
}
