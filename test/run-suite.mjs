// `npm test` after the type check: the node:test suite once on embedded SQLite and,
// when TEST_DATABASE_URL names a PostgreSQL database the tests may create schemas in,
// once more on PostgreSQL. Streams each run's output and ends with one line that
// adds the runs up.

import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const files = readdirSync('test').filter((f) => f.endsWith('.test.ts')).sort().map((f) => `test/${f}`);
// A file that never opens a store or a test server through the helpers (parsers,
// expansion, the CLI's own SQLite start-up) answers the same on either engine: it runs
// once, in the SQLite run.
const usesEngine = (file) => /helpers\/(server|store)\.js/.test(readFileSync(file, 'utf8'));
const engineIndependent = files.filter((f) => !usesEngine(f));
const engines = ['sqlite'];
if (process.env.TEST_DATABASE_URL) engines.push('postgres');
else console.log('# TEST_DATABASE_URL is not set: the suite runs on SQLite only, PostgreSQL is NOT tested');

function runOn(engine) {
  return new Promise((resolve) => {
    console.log(`\n# ---- suite on ${engine} ----`);
    const run = engine === 'sqlite' ? files : files.filter((f) => !engineIndependent.includes(f));
    if (engine !== 'sqlite') console.log(`# engine-independent, run on SQLite only: ${engineIndependent.join(' ')}`);
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...run], {
      env: { ...process.env, TEST_ENGINE: engine },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const counts = { pass: 0, fail: 0 };
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      process.stdout.write(chunk);
      const lines = (pending + chunk).split('\n');
      pending = lines.pop();
      for (const line of lines) {
        const m = /^# (pass|fail) (\d+)$/.exec(line);
        if (m) counts[m[1]] = Number(m[2]);
      }
    });
    child.on('close', (code) => resolve({ engine, code, ...counts }));
  });
}

const results = [];
for (const engine of engines) results.push(await runOn(engine));
const passed = results.reduce((n, r) => n + r.pass, 0);
const failed = results.reduce((n, r) => n + r.fail, 0);
console.log(`\n# ${results.map((r) => `${r.engine}: ${r.pass} passed, ${r.fail} failed`).join('; ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(results.every((r) => r.code === 0) && failed === 0 ? 0 : 1);
