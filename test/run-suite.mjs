// `npm test` after the type check: the node:test suite once on embedded SQLite and,
// when TEST_DATABASE_URL names a PostgreSQL database the tests may create schemas in,
// on PostgreSQL at the same time. Prints each run's output and ends with one line that
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

/**
 * One engine's run. The first engine streams its output; the others run at the same time
 * (the suite waits on timers and sockets as much as on the CPU) and print theirs as one
 * block once the first has finished, so the log reads engine by engine.
 */
function runOn(engine, streamed, firstDone) {
  return new Promise((resolve) => {
    const run = engine === 'sqlite' ? files : files.filter((f) => !engineIndependent.includes(f));
    let out = `\n# ---- suite on ${engine} ----\n`;
    if (engine !== 'sqlite') out += `# engine-independent, run on SQLite only: ${engineIndependent.join(' ')}\n`;
    const write = (text) => (streamed ? process.stdout.write(text) : (out += text));
    if (streamed) write(out);
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...run], {
      env: { ...process.env, TEST_ENGINE: engine },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const counts = { pass: 0, fail: 0 };
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      write(chunk);
      const lines = (pending + chunk).split('\n');
      pending = lines.pop();
      for (const line of lines) {
        const m = /^# (pass|fail) (\d+)$/.exec(line);
        if (m) counts[m[1]] = Number(m[2]);
      }
    });
    child.on('close', async (code) => {
      if (!streamed) {
        await firstDone;
        process.stdout.write(out);
      }
      resolve({ engine, code, ...counts });
    });
  });
}

const first = runOn(engines[0], true);
const results = await Promise.all([first, ...engines.slice(1).map((e) => runOn(e, false, first))]);
const passed = results.reduce((n, r) => n + r.pass, 0);
const failed = results.reduce((n, r) => n + r.fail, 0);
console.log(`\n# ${results.map((r) => `${r.engine}: ${r.pass} passed, ${r.fail} failed`).join('; ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(results.every((r) => r.code === 0) && failed === 0 ? 0 : 1);
