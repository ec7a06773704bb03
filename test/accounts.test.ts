// User management (src/accounts): the rules the CLI and the web admin share, on the
// suite's engine (SQLite, or PostgreSQL with TEST_ENGINE=postgres), checked over HTTP
// against the real server: a disabled user is refused whatever the credential (despite
// the credentials cache), a deleted one leaves nothing behind, and a default collection
// the user deleted stays deleted across a restart and a new log-in. The migration that
// adds the flags makes the existing user named admin the administrator.

import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { INSTALL_DIR } from '../src/install-dir.js';
import pg from 'pg';
import { migrate as migratePostgres } from '../src/store/postgres/migrate.js';
import { migrate as migrateSqlite } from '../src/store/sqlite/migrate.js';
import { freshStoreLocation, TEST_ENGINE } from './helpers/store.js';
import { AccountError, Accounts } from '../src/accounts/index.js';
import { issueAppPassword } from '../src/http/auth.js';
import { startServerAt, startTestServer, type TestServer, type TestUser } from './helpers/server.js';
import { propfindBody } from './helpers/xml.js';

const ROOT = INSTALL_DIR;

describe('accounts', () => {
  let s: TestServer;
  let accounts: Accounts;
  before(async () => {
    s = await startTestServer();
    accounts = new Accounts(s.server.dav, 8);
  });
  after(() => s.close());

  const principal = (user: TestUser, authorization?: string) =>
    s.request('PROPFIND', `/dav/principals/${user.name}/`, {
      user: authorization ? null : user,
      headers: { Depth: '0', ...(authorization ? { Authorization: authorization } : {}) },
      body: propfindBody('<D:displayname/>'),
    });

  /** The AccountError `fn` throws: its message and the field a form would show it at. */
  async function refusal(fn: () => Promise<unknown>): Promise<AccountError> {
    try {
      await fn();
    } catch (e) {
      assert.ok(e instanceof AccountError, `expected an AccountError, got ${String(e)}`);
      return e;
    }
    assert.fail('expected a refusal');
  }

  it('creates a user with a calendar and an address book, who can sign in at once', async () => {
    const carol = await accounts.create({ name: 'carol', password: 'carol-secret', email: 'carol@example.com', displayName: ' Carol C. ' });
    assert.equal(carol.displayName, 'Carol C.', 'trimmed');
    assert.equal(carol.admin, false);
    assert.equal(carol.disabled, false);
    const user = { name: 'carol', password: 'carol-secret' };
    assert.equal((await principal(user)).status, 207);
    for (const path of ['/dav/calendars/carol/default/', '/dav/addressbooks/carol/default/']) {
      const r = await s.request('PROPFIND', path, { user, headers: { Depth: '0' }, body: propfindBody('<D:resourcetype/>') });
      assert.equal(r.status, 207, path);
    }
    const admin = await accounts.create({ name: 'root2', password: 'root2-secret', admin: true });
    assert.equal(admin.admin, true);
    assert.equal((await s.store.getUser('root2'))!.admin, true, 'the flag is stored');
  });

  it('refuses what breaks a rule, saying which field', async () => {
    const cases: [Parameters<Accounts['create']>[0], string, RegExp][] = [
      [{ name: '', password: 'long-enough' }, 'name', /1 to 64/],
      [{ name: '.hidden', password: 'long-enough' }, 'name', /dot/],
      [{ name: 'a/b', password: 'long-enough' }, 'name', /letters, digits/],
      [{ name: 'x'.repeat(65), password: 'long-enough' }, 'name', /1 to 64/],
      [{ name: 'alice', password: 'long-enough' }, 'name', /alice already exists/],
      [{ name: 'dora', password: 'short' }, 'password', /at least 8 characters/],
      [{ name: 'dora', password: 'long-enough', email: 'not-an-address' }, 'email', /not an e-mail address/],
      [{ name: 'dora', password: 'long-enough', email: 'ALICE@example.com' }, 'email', /another user has the e-mail address/],
      [{ name: 'dora', password: 'long-enough', displayName: 'two\nlines' }, 'displayName', /one line/],
    ];
    for (const [input, field, message] of cases) {
      const e = await refusal(() => accounts.create(input));
      assert.equal(e.field, field, `${JSON.stringify(input)}: ${e.message}`);
      assert.match(e.message, message);
    }
    assert.equal(await s.store.getUser('dora'), undefined, 'nothing was created');
    assert.match((await refusal(() => accounts.setPassword('nobody', 'long-enough'))).message, /no user nobody/);
  });

  it('a new password works at once and the old one no longer does', async () => {
    await accounts.create({ name: 'erin', password: 'erin-secret-1' });
    assert.equal((await principal({ name: 'erin', password: 'erin-secret-1' })).status, 207);
    await accounts.setPassword('erin', 'erin-secret-2');
    assert.equal((await principal({ name: 'erin', password: 'erin-secret-1' })).status, 401);
    assert.equal((await principal({ name: 'erin', password: 'erin-secret-2' })).status, 207);
    assert.equal((await refusal(() => accounts.setPassword('erin', 'short'))).field, 'password');
  });

  it('a disabled user is refused with password, e-mail, app password and Bearer, though just verified; enabling restores all', async () => {
    await accounts.create({ name: 'fay', password: 'fay-secret-1', email: 'fay@example.com' });
    const fay = (await s.store.getUser('fay'))!;
    const appPassword = (await issueAppPassword(s.store, fay, 'phone'))!;
    const basic = (name: string, password: string) => `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;
    const user = { name: 'fay', password: 'fay-secret-1' };
    const credentials = [basic('fay', 'fay-secret-1'), basic('fay@example.com', 'fay-secret-1'), basic('fay', appPassword)];
    for (const c of credentials) assert.equal((await principal(user, c)).status, 207, 'cached as verified');
    const bearer = () => fetch(`${s.url}calendar/v3/users/me/calendarList`, { headers: { Authorization: `Bearer ${appPassword}` } });
    assert.equal((await bearer()).status, 200);

    assert.equal((await accounts.setDisabled('fay', true)).disabled, true);
    for (const c of credentials) assert.equal((await principal(user, c)).status, 401, 'refused at once');
    assert.equal((await bearer()).status, 401);
    assert.equal((await s.store.getCollection(fay.id, 'calendar', 'default'))?.uri, 'default', 'the data stays');

    await accounts.setDisabled('fay', false);
    for (const c of credentials) assert.equal((await principal(user, c)).status, 207);
  });

  it('deleting a user deletes all their data; the name can be used again afresh', async () => {
    await accounts.create({ name: 'gus', password: 'gus-secret-1' });
    const gus = (await s.store.getUser('gus'))!;
    const user = { name: 'gus', password: 'gus-secret-1' };
    const event = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:gus-1\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240101T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
    assert.equal((await s.request('PUT', '/dav/calendars/gus/default/gus-1.ics', { user, body: event })).status, 201);
    await issueAppPassword(s.store, gus, 'laptop');
    const calendar = (await s.store.getCollection(gus.id, 'calendar', 'default'))!;

    await accounts.delete('gus');
    assert.equal(await s.store.getUser('gus'), undefined);
    assert.equal(await s.store.getCollectionById(calendar.id), undefined, 'collections gone');
    assert.equal(await s.store.getObject(calendar.id, 'gus-1.ics'), undefined, 'objects gone');
    assert.deepEqual(await s.store.listAppPasswords(gus.id), [], 'app passwords gone');
    assert.equal((await principal(user)).status, 401);
    assert.match((await refusal(() => accounts.delete('gus'))).message, /no user gus/);

    const again = await accounts.create({ name: 'gus', password: 'gus-secret-2' });
    assert.notEqual(again.id, gus.id);
    const r = await s.request('GET', '/dav/calendars/gus/default/gus-1.ics', { user: { name: 'gus', password: 'gus-secret-2' } });
    assert.equal(r.status, 404, 'the new gus sees nothing of the old one');
  });

  it('the last enabled administrator can be neither disabled nor deleted', async () => {
    for (const u of await accounts.list()) if (u.admin) await accounts.delete(u.username).catch(() => undefined);
    const admins = (await accounts.list()).filter((u) => u.admin && !u.disabled);
    assert.equal(admins.length, 1, 'one administrator left');
    const last = admins[0]!.username;
    assert.match((await refusal(() => accounts.setDisabled(last, true))).message, /last administrator/);
    assert.match((await refusal(() => accounts.delete(last))).message, /last administrator/);
    await accounts.create({ name: 'helper-admin', password: 'long-enough', admin: true });
    await accounts.setDisabled(last, true);
    await accounts.setDisabled(last, false);
  });
});

describe('default collections', () => {
  it('a default calendar and address book the user deleted stay deleted after a restart and a new log-in', async () => {
    const first = await startTestServer();
    const { location } = first;
    const paths = ['/dav/calendars/alice/default/', '/dav/addressbooks/alice/default/'];
    try {
      for (const path of paths) assert.equal((await first.request('DELETE', path)).status, 204, path);
    } finally {
      // Closes this node only: the store stays for the next start.
      await first.server.close();
    }
    const second = await startServerAt(location);
    try {
      const home = async (path: string) => (await second.request('PROPFIND', path, { headers: { Depth: '1' }, body: propfindBody('<D:resourcetype/>') })).text;
      assert.doesNotMatch(await home('/dav/calendars/alice/'), /\/dav\/calendars\/alice\/default\//);
      assert.doesNotMatch(await home('/dav/addressbooks/alice/'), /\/dav\/addressbooks\/alice\/default\//);
      for (const path of paths) assert.equal((await second.request('PROPFIND', path, { headers: { Depth: '0' }, body: propfindBody('<D:resourcetype/>') })).status, 404, path);
    } finally {
      await second.close();
    }
  });
});

describe('migration to accounts', () => {
  it(`on ${TEST_ENGINE}: the existing user named admin becomes the administrator, nobody else; nobody is disabled`, async () => {
    const engine = TEST_ENGINE;
    const all = readdirSync(path.join(ROOT, 'migrations', engine)).filter((f) => f.endsWith('.sql')).sort();
    const ours = all.findIndex((f) => /_accounts\.sql$/.test(f));
    const dir = mkdtempSync(path.join(tmpdir(), 'davenport-migrations-'));
    const location = await freshStoreLocation();
    try {
      // The schema as it was before, with users in it; then the rest of the migrations.
      for (const f of all.slice(0, ours)) copyFileSync(path.join(ROOT, 'migrations', engine, f), path.join(dir, f));
      const insert = "INSERT INTO users (username, password_hash, created_at) VALUES ('admin', 'x', 0), ('bob', 'x', 0)";
      const rest = () => { for (const f of all.slice(ours)) copyFileSync(path.join(ROOT, 'migrations', engine, f), path.join(dir, f)); };
      let rows: { username: string; admin: unknown; disabled: unknown }[];
      if (engine === 'sqlite') {
        const db = new Database(path.join(location.dataDir, 'migrating.sqlite'));
        try {
          migrateSqlite(db, dir);
          db.exec(insert);
          rest();
          migrateSqlite(db, dir);
          rows = db.prepare('SELECT username, admin, disabled FROM users ORDER BY username').all() as typeof rows;
        } finally {
          db.close();
        }
      } else {
        const pool = new pg.Pool({ connectionString: location.databaseUrl });
        try {
          await migratePostgres(pool, dir);
          await pool.query(insert);
          rest();
          await migratePostgres(pool, dir);
          rows = (await pool.query('SELECT username, admin, disabled FROM users ORDER BY username')).rows;
        } finally {
          await pool.end();
        }
      }
      const truthy = (v: unknown) => v === true || v === 1;
      assert.deepEqual(rows.map((r) => [r.username, truthy(r.admin), truthy(r.disabled)]), [['admin', true, false], ['bob', false, false]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await location.drop();
    }
  });
});
