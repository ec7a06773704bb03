// App passwords made with the CLI against a running server's store: Basic on DAV (also
// with the e-mail address as the name), Bearer on the JSON API only, last-used dates,
// revocation taking effect at once despite the credentials cache.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { issueAppPassword } from '../src/http/auth.js';
import type { User } from '../src/store/types.js';
import { cli as runCli, storeVars, type CliRun } from './helpers/cli.js';
import { ALICE, BOB, startTestServer, type TestServer } from './helpers/server.js';
import { propfindBody } from './helpers/xml.js';

const HOME = '/dav/calendars/alice/';

describe('app passwords', () => {
  let s: TestServer;
  let alice: User;
  before(async () => {
    s = await startTestServer();
    alice = (await s.store.getUser(ALICE.name))!;
  });
  after(() => s.close());

  /** The CLI, run for real on the test server's store. */
  const cli = (...args: string[]): Promise<CliRun> => runCli(args, storeVars(s.location));

  /** Makes an app password as a script would: the last line of stdout. */
  async function add(user: string, label: string): Promise<string> {
    const run = await cli('app-password', 'add', user, label);
    assert.equal(run.code, 0, run.stderr);
    return run.stdout.trimEnd().split('\n').at(-1)!;
  }

  /** An app password made in-process, where the CLI itself is not under test. */
  const issue = async (label: string) => (await issueAppPassword(s.store, alice, label))!;

  const basic = (name: string, password: string) => `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;
  const propfind = (authorization: string) =>
    s.request('PROPFIND', HOME, { user: null, headers: { Depth: '0', Authorization: authorization }, body: propfindBody('<D:resourcetype/>') });

  it('add prints a password alone on the last line; it works as the Basic password on DAV, not as Bearer', async () => {
    const password = await add(ALICE.name, 'phone');
    assert.ok(password.length >= 24, password);
    assert.doesNotMatch(password, /\s/);
    assert.equal((await propfind(basic(ALICE.name, password))).status, 207);
    assert.equal((await propfind(`Bearer ${password}`)).status, 401, 'DAV takes Basic only');
    assert.equal((await propfind(basic(BOB.name, password))).status, 401, "another user's app password");
    assert.equal((await propfind(basic(ALICE.name, `${password.slice(0, -1)}x`))).status, 401);
    assert.equal((await propfind(basic(ALICE.name, ALICE.password))).status, 207, 'the main password keeps working');
  });

  it('list shows labels in order, with created and last-used dates', async () => {
    await issue('laptop');
    const listed = await cli('app-password', 'list', ALICE.name);
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => l.split('\t')[0]), ['laptop', 'phone']);
    assert.match(lines[0]!, /\tlast used never$/);
    assert.match(lines[1]!, /^phone\tcreated \d{4}-\d\d-\d\dT[\d:.]+Z\tlast used \d{4}-\d\d-\d\dT[\d:.]+Z$/, 'used by the test before');
  });

  it('a label is unique per user; unknown users and labels are refused with exit code 1', async () => {
    // Independent runs, in parallel: each CLI start compiles the TypeScript anew.
    const [duplicate, otherUser, nobody, missing] = await Promise.all([
      cli('app-password', 'add', ALICE.name, 'phone'),
      cli('app-password', 'add', BOB.name, 'phone'),
      cli('app-password', 'list', 'nobody'),
      cli('app-password', 'revoke', ALICE.name, 'tablet'),
    ]);
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.stderr, /already has an app password labelled "phone"/);
    assert.equal(otherUser.code, 0, 'labels are per user');
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /no user nobody/);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no app password labelled "tablet"/);
  });

  it('revoke refuses the password at once, though it was just verified (and cached)', async () => {
    const password = await issue('script');
    assert.equal((await propfind(basic(ALICE.name, password))).status, 207);
    const revoked = await cli('app-password', 'revoke', ALICE.name, 'script');
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal((await propfind(basic(ALICE.name, password))).status, 401);
    assert.ok(!(await s.store.listAppPasswords(alice.id)).some((p) => p.label === 'script'));
  });

  it('the e-mail address stands for the user name in Basic', async () => {
    assert.equal((await propfind(basic('alice@example.com', ALICE.password))).status, 207);
    assert.equal((await propfind(basic('Alice@Example.COM', ALICE.password))).status, 207, 'compared case-insensitively');
    assert.equal((await propfind(basic('alice@example.com', await issue('mail-script')))).status, 207);
    assert.equal((await propfind(basic('alice@example.com', 'wrong'))).status, 401);
    assert.equal((await propfind(basic(ALICE.name, 'wrong'))).status, 401);
    assert.equal((await propfind(basic('nobody@example.com', ALICE.password))).status, 401);
  });

  it('Bearer: an app password alone signs in to the JSON API', async () => {
    const password = await issue('bearer');
    const calendarList = (authorization: string) =>
      s.request('GET', '/calendar/v3/users/me/calendarList', { user: null, headers: { Authorization: authorization } });
    const listed = await calendarList(`Bearer ${password}`);
    assert.equal(listed.status, 200, listed.text);
    assert.equal(JSON.parse(listed.text).kind, 'calendar#calendarList');
    assert.equal((await calendarList(`Bearer ${password}`)).status, 200, 'from the cache');
    assert.equal((await calendarList(basic(ALICE.name, password))).status, 200, 'and as the Basic password');
    assert.equal((await calendarList(`Bearer ${ALICE.password}`)).status, 401, 'not the main password');
    assert.equal((await calendarList(`Bearer ${password.slice(0, -1)}${password.endsWith('x') ? 'y' : 'x'}`)).status, 401, 'one character changed');
    assert.ok((await s.store.listAppPasswords(alice.id)).find((p) => p.label === 'bearer')?.lastUsedAt, 'last used is recorded');
    assert.equal(await s.store.removeAppPassword(alice.id, 'bearer'), true);
    assert.equal((await calendarList(`Bearer ${password}`)).status, 401, 'revoked');
  });

  it('`user` keeps working beside it', async () => {
    const run = await cli('user', 'list');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^alice\talice@example\.com\tAlice Example$/m);
  });
});
