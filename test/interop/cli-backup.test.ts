// `davenport backup FILE` while the server writes: the real server as a child process
// takes PUTs in a loop, the backup is taken meanwhile by another process, and a second
// server started on the backup file serves a consistent store: every write
// acknowledged before the backup began, none after it ended, each member whole. Also:
// the first start creates the administrator. SQLite only: PostgreSQL is pg_dump's
// (the CLI's refusal is in cli-commands.test.ts).

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { cli, serveChild } from '../helpers/cli.js';
import { TEST_ENGINE } from '../helpers/store.js';
import { propfindBody } from '../helpers/xml.js';

const ADMIN = `Basic ${Buffer.from('admin:admin-secret-1').toString('base64')}`;
const event = (n: number) =>
  `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:load-${n}\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240601T100000Z\r\nSUMMARY:Write ${n} ${'x'.repeat(2000)}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;

describe('backup under write load', { skip: TEST_ENGINE === 'postgres' && 'SQLite only: a PostgreSQL store is backed up with pg_dump' }, () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'davenport-backup-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('a backup taken while the server writes starts a second server with a consistent store', async () => {
    const dataDir = path.join(tmp, 'data');
    const backupDir = path.join(tmp, 'restored');
    mkdirSync(backupDir);
    const vars = { DAVENPORT_DATA_DIR: dataDir };
    const server = await serveChild({ ...vars, DAVENPORT_ADMIN_PASSWORD: 'admin-secret-1', DAVENPORT_LOG_LEVEL: 'warn' });
    let restored: Awaited<ReturnType<typeof serveChild>> | undefined;
    try {
      // Processes run side by side where the order does not matter: each start costs a second.
      const users = cli(['user', 'list'], vars);
      // Writes one after another, as fast as the server takes them, until told to stop.
      let acknowledged = 0;
      let stop = false;
      const writer = (async () => {
        for (let n = 0; !stop; n++) {
          const r = await fetch(`${server.url}/dav/calendars/admin/default/load-${n}.ics`, { method: 'PUT', headers: { Authorization: ADMIN }, body: event(n) });
          assert.equal(r.status, 201, await r.text());
          acknowledged = n + 1;
        }
      })();
      while (acknowledged < 20) await new Promise((r) => setTimeout(r, 20));
      const before = acknowledged;
      const backup = await cli(['backup', path.join(backupDir, 'davenport.sqlite')], vars);
      const afterBackup = acknowledged;
      while (acknowledged < afterBackup + 5) await new Promise((r) => setTimeout(r, 20));
      stop = true;
      await writer;
      assert.equal(backup.code, 0, backup.stderr);
      assert.match(backup.stdout, /written to .*davenport\.sqlite: [\d.]+ MB, 1 users, \d+ objects/);
      assert.ok(afterBackup > before, `the server went on writing during the backup (${before} → ${afterBackup})`);
      assert.ok(!existsSync(path.join(backupDir, 'davenport.sqlite.partial')));

      assert.match((await users).stdout, /^admin\t\tAdministrator\tadmin$/m, 'the first start makes "admin" the administrator');

      const check = cli(['check'], { DAVENPORT_DATA_DIR: backupDir });
      restored = await serveChild({ DAVENPORT_DATA_DIR: backupDir, DAVENPORT_LOG_LEVEL: 'warn' });
      const listing = await fetch(`${restored.url}/dav/calendars/admin/default/`, {
        method: 'PROPFIND', headers: { Authorization: ADMIN, Depth: '1' }, body: propfindBody('<D:getetag/>'),
      });
      assert.equal(listing.status, 207, 'the admin signs in to the restored server');
      const members = [...(await listing.text()).matchAll(/load-(\d+)\.ics/g)].map((m) => Number(m[1]));
      const count = new Set(members).size;
      assert.ok(count >= before && count <= afterBackup, `${count} members: at least the ${before} acknowledged before, at most the ${afterBackup} by the end`);
      assert.deepEqual([...new Set(members)].sort((a, b) => a - b), Array.from({ length: count }, (_, i) => i), 'a prefix of the writes: nothing missing in between');
      for (const n of [0, count - 1]) {
        const got: Response = await fetch(`${restored.url}/dav/calendars/admin/default/load-${n}.ics`, { headers: { Authorization: ADMIN } });
        assert.equal(await got.text(), event(n), `member ${n} whole`);
      }
      const checked = await check;
      assert.equal(checked.code, 0, checked.stdout + checked.stderr);
    } finally {
      await restored?.stop();
      await server.stop();
    }
  });
});
