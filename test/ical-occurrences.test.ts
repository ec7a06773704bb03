// Occurrence counts stated by the source projects' own tests (test/helpers/
// occurrences.ts), checked through the expansion calendar-data expand uses.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseStored } from '../src/ical/calendar-object.js';
import { decodeText } from '../src/text/decode.js';
import { readerFor } from '../src/ical/reader.js';
import { instancesOverlapping } from '../src/ical/recurrence.js';
import { finish } from '../src/ical/steps.js';
import { OCCURRENCES } from './helpers/occurrences.js';

const FIXTURES = path.resolve(process.cwd(), '../shared/fixtures');


test('recurrence expansion matches the source projects’ occurrence counts', async (t) => {
  if (!existsSync(FIXTURES)) {
    t.skip(`${FIXTURES}: ../shared/fixtures not found`);
    return;
  }
  for (const c of OCCURRENCES) {
    const iso = c.range.map((n) => new Date(n).toISOString()).join('..');
    await t.test(`${c.file} ${iso} → ${c.count}`, () => {
      const vcalendar = parseStored(decodeText(readFileSync(path.join(FIXTURES, 'ical', c.file))));
      const found = finish(instancesOverlapping(readerFor(vcalendar), c.range[0], c.range[1])).map((i) => {
        const start = (i.shape.anchor ?? 0) + i.delta;
        const end = i.periodEnd ?? (i.shape.end !== null ? i.shape.end + i.delta : i.shape.duration !== null ? start + i.shape.duration : null);
        return {
          start, end,
          summary: String(i.comp.getFirstPropertyValue('summary') ?? ''),
          status: String(i.comp.getFirstPropertyValue('status') ?? ''),
        };
      });
      assert.equal(found.length, c.count, found.map((f) => new Date(f.start).toISOString()).join(', '));
      c.check?.(found);
    });
  }
});
