// `npm test` after the type check: the node:test suite once on embedded SQLite and,
// when TEST_DATABASE_URL names a PostgreSQL database the tests may create schemas in,
// once more on PostgreSQL, both at the same time (much of each run waits on I/O, so
// together they take far less than one after the other). The first run's output is
// streamed, the others' printed whole when they end, so no two are interleaved; the
// last line adds the runs up.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

// The longest files first (measured: 15–35 s each under the suite's load), so that the
// runner's two lanes end together instead of one finishing a long file alone.
const LONGEST = ['birthdays', 'fuzz', 'web-ui', 'query', 'app-passwords', 'caldav-time-index', 'expansion-limits', 'import-export', 'login-throttle', 'ical-timezones'];
const rank = (f) => {
  const i = LONGEST.indexOf(f.replace(/\.test\.ts$/, ''));
  return i < 0 ? LONGEST.length : i;
};
const files = readdirSync('test').filter((f) => f.endsWith('.test.ts')).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).map((f) => `test/${f}`);
// A file that never opens a store or a test server through the helpers (parsers,
// expansion, the CLI's own SQLite start-up) answers the same on either engine: it runs
// once, in the SQLite run.
// Helpers count through what they import (the fuzz suite starts a server).
function usesEngine(file, seen = new Set()) {
  if (seen.has(file)) return false;
  seen.add(file);
  const text = readFileSync(file, 'utf8').replace(/^import type .*$/gm, ''); // types start nothing
  if (/helpers\/(server|store)\.js/.test(text) || /^import .* from '\.\/(server|store)\.js'/m.test(text)) return true;
  const dir = file.slice(0, file.lastIndexOf('/'));
  const helpers = [...text.matchAll(/from '(\.\.?\/(?:helpers\/)?[\w-]+)\.js'/g)].map((m) => `${dir}/${m[1]}.ts`.replace(/\/\.\//g, '/'));
  return helpers.some((h) => existsSync(h) && usesEngine(h, seen));
}
const engineIndependent = files.filter((f) => !usesEngine(f));
const engines = ['sqlite'];
if (process.env.TEST_DATABASE_URL) engines.push('postgres');
else console.log('# TEST_DATABASE_URL is not set: the suite runs on SQLite only, PostgreSQL is NOT tested');

function runOn(engine, streamed) {
  return new Promise((resolve) => {
    const out = streamed ? (text) => process.stdout.write(text) : (text) => held.push(text);
    const held = [];
    out(`\n# ---- suite on ${engine} ----\n`);
    const run = engine === 'sqlite' ? files : files.filter((f) => !engineIndependent.includes(f));
    if (engine !== 'sqlite') out(`# engine-independent, run on SQLite only: ${engineIndependent.join(' ')}\n`);
    // The compiled build of each file (tsconfig.test.json), which `npm test` makes first.
    // Three at a time per engine: much of a file's time is waiting (bcrypt, sockets,
    // PostgreSQL), and two left a core idle a quarter of the time.
    const compiled = run.map((f) => `.build/${f.replace(/\.ts$/, '.js')}`);
    const child = spawn(process.execPath, ['--test', '--test-concurrency=3', ...compiled], {
      env: { ...process.env, TEST_ENGINE: engine },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const counts = { pass: 0, fail: 0 };
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out(chunk);
      const lines = (pending + chunk).split('\n');
      pending = lines.pop();
      for (const line of lines) {
        const m = /^# (pass|fail) (\d+)$/.exec(line);
        if (m) counts[m[1]] = Number(m[2]);
      }
    });
    child.on('close', (code) => resolve({ engine, code, ...counts, held }));
  });
}

const results = await Promise.all(engines.map((engine, i) => runOn(engine, i === 0)));
for (const r of results) for (const text of r.held) process.stdout.write(text);
const passed = results.reduce((n, r) => n + r.pass, 0);
const failed = results.reduce((n, r) => n + r.fail, 0);
console.log(`\n# ${results.map((r) => `${r.engine}: ${r.pass} passed, ${r.fail} failed`).join('; ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(results.every((r) => r.code === 0) && failed === 0 ? 0 : 1);
