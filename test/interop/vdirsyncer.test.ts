// vdirsyncer (a real two-way sync client) through ../shared/harness/vdirsyncer.sh:
// two local replicas sync through the server; create/modify/delete on every side,
// a conflict, idempotent re-sync, displayname metasync. CardDAV joins once the server
// advertises "addressbook" in its DAV header.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ALICE, startTestServer, type TestServer } from '../helpers/server.js';
import { basicAuth, davClasses, run } from './tools.js';

const HARNESS = path.resolve(process.cwd(), '../shared/harness');
const SCRIPT = path.join(HARNESS, 'vdirsyncer.sh');

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server?.close());

test('vdirsyncer round trip (../shared/harness/vdirsyncer.sh): failed=0', async () => {
  assert.ok(existsSync(SCRIPT), `${SCRIPT} is missing: test:interop needs ../shared/harness beside the repository (run from the repository root)`);
  const carddav = (await davClasses(server.url, '/dav/', basicAuth(ALICE.name, ALICE.password))).includes('addressbook');
  const kinds = carddav ? 'cal card' : 'cal';
  console.log(`vdirsyncer kinds: ${kinds}${carddav ? '' : ' (no "addressbook" in the DAV header: CardDAV half not run)'}`);

  const r = await run('bash', [SCRIPT], { DAV_URL: server.url, DAV_USER: ALICE.name, DAV_PASS: ALICE.password, VDS_KINDS: kinds }, 300_000);
  const lines = r.stdout.trim().split('\n');
  const last = lines.at(-1) ?? '';
  console.log(last);
  const failedChecks = lines.filter((l) => / FAIL\b/.test(l));
  const m = /^vdirsyncer passed=(\d+) failed=(\d+) skipped=(\d+)/.exec(last);
  assert.ok(m, `no summary line (exit ${r.code ?? r.signal}):\n${r.stdout}\n${r.stderr.slice(-3000)}`);
  assert.equal(Number(m[2]), 0, `${last}\n${failedChecks.join('\n')}\n${r.stderr.slice(-3000)}`);
  assert.ok(Number(m[1]) > 0, last);
  assert.equal(r.code, 0, `exit code; ${r.stderr.slice(-2000)}`);
});
