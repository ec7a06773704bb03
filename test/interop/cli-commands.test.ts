// The `davenport` CLI run for real (a child process) on the test server's store, on
// the suite's engine: strict parsing and --help everywhere, the user and app-password
// commands with the same rules as the web admin, import/export, and check.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli, ROOT, storeVars } from '../helpers/cli.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.js';
import { TEST_ENGINE } from '../helpers/store.js';
import { propfindBody } from '../helpers/xml.js';

const COMMANDS: string[][] = [
  [], ['serve'], ['user'], ['user', 'add'], ['user', 'passwd'], ['user', 'list'], ['user', 'disable'], ['user', 'enable'],
  ['user', 'delete'], ['app-password'], ['app-password', 'add'], ['app-password', 'list'], ['app-password', 'revoke'],
  ['import'], ['export'], ['backup'], ['check'], ['migrate-store'],
];

describe('davenport CLI', () => {
  let s: TestServer;
  let vars: Record<string, string>;
  const tmp = mkdtempSync(path.join(tmpdir(), 'davenport-cli-'));
  before(async () => {
    s = await startTestServer();
    vars = storeVars(s.location);
  });
  after(async () => {
    await s.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const run = (args: string[], stdin?: string) => cli(args, vars, stdin);
  const signIn = (user: TestUser) =>
    s.request('PROPFIND', `/dav/principals/${user.name}/`, { user, headers: { Depth: '0' }, body: propfindBody('<D:displayname/>') });

  it('--help works for every command, and only prints', async () => {
    const runs = await Promise.all(COMMANDS.map((c) => run([...c, '--help'])));
    runs.forEach((r, i) => {
      assert.equal(r.code, 0, `${COMMANDS[i]!.join(' ')} --help: ${r.stderr}`);
      assert.match(r.stdout, /^usage: davenport/, COMMANDS[i]!.join(' '));
    });
    assert.match(runs[0]!.stdout, /import\s+import USER COLLECTION FILE/);
  });

  it('unknown options and commands, and missing arguments, are errors with the usage and exit code 2', async () => {
    const [option, command, sub, missing, extra, noCommand] = await Promise.all([
      run(['user', 'list', '--bogus']), run(['frobnicate']), run(['user', 'frob']), run(['import', 'alice']),
      run(['user', 'list', 'extra']), run([]),
    ]);
    assert.equal(option.code, 2);
    assert.match(option.stderr, /^error: unknown option --bogus\n\nusage: davenport user list/);
    assert.equal(command.code, 2);
    assert.match(command.stderr, /unknown command "frobnicate"/);
    assert.equal(sub.code, 2);
    assert.match(sub.stderr, /unknown command "frob"[\s\S]*usage: davenport user <command>/);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing arguments[\s\S]*usage: davenport import/);
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /unexpected argument "extra"/);
    assert.equal(noCommand.code, 2);
    assert.match(noCommand.stdout, /^usage: davenport <command>/);
  });

  it('user add, passwd, list, disable, enable, delete', async () => {
    const add = await run(['user', 'add', 'carol', '--email', 'carol@example.com', '--display-name', 'Carol C', '--admin'], 'carol-secret-1\n');
    assert.equal(add.code, 0, add.stderr);
    assert.equal((await signIn({ name: 'carol', password: 'carol-secret-1' })).status, 207, 'password read from stdin');

    const generated = await run(['user', 'add', 'dan', '--generate']);
    assert.equal(generated.code, 0, generated.stderr);
    const password = generated.stdout.trimEnd().split('\n').at(-1)!;
    assert.ok(password.length >= 16);
    assert.equal((await signIn({ name: 'dan', password })).status, 207, 'the generated password, printed alone on the last line');

    const [dup, short, badName] = await Promise.all([
      run(['user', 'add', 'carol'], 'whatever-long\n'), run(['user', 'add', 'erin'], 'short\n'), run(['user', 'add', '../x'], 'long-enough\n'),
    ]);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /carol already exists/);
    assert.equal(short.code, 1);
    assert.match(short.stderr, /at least 8 characters/);
    assert.equal(badName.code, 1);
    assert.match(badName.stderr, /letters, digits/);

    const list = await run(['user', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^carol\tcarol@example\.com\tCarol C\tadmin$/m);
    assert.match(list.stdout, /^dan\t\t$/m);

    assert.equal((await run(['user', 'passwd', 'carol'], 'carol-secret-2\n')).code, 0);
    assert.equal((await signIn({ name: 'carol', password: 'carol-secret-1' })).status, 401);
    assert.equal((await signIn({ name: 'carol', password: 'carol-secret-2' })).status, 207);

    assert.equal((await run(['user', 'disable', 'dan'])).code, 0);
    assert.equal((await signIn({ name: 'dan', password })).status, 401, 'disabled: refused at once');
    assert.match((await run(['user', 'list'])).stdout, /^dan\t\t\tdisabled$/m);
    assert.equal((await run(['user', 'enable', 'dan'])).code, 0);
    assert.equal((await signIn({ name: 'dan', password })).status, 207);

    const unconfirmed = await run(['user', 'delete', 'dan']);
    assert.equal(unconfirmed.code, 2);
    assert.match(unconfirmed.stderr, /--yes/);
    assert.equal((await signIn({ name: 'dan', password })).status, 207, 'nothing deleted without --yes');
    assert.equal((await run(['user', 'delete', 'dan', '--yes'])).code, 0);
    assert.equal(await s.store.getUser('dan'), undefined);
    const gone = await run(['user', 'disable', 'dan']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /no user dan/);
  });

  it('app-password add prints the password alone on its last line; list; revoke', async () => {
    const add = await run(['app-password', 'add', 'alice', 'phone']);
    assert.equal(add.code, 0, add.stderr);
    const password = add.stdout.trimEnd().split('\n').at(-1)!;
    assert.match(password, /^dp_\d+_\d+_[A-Za-z0-9_-]{32}$/);
    assert.equal((await signIn({ name: 'alice', password })).status, 207);
    assert.match((await run(['app-password', 'list', 'alice'])).stdout, /^phone\tcreated \S+\tlast used \S+$/m);
    assert.equal((await run(['app-password', 'revoke', 'alice', 'phone'])).code, 0);
    assert.equal((await signIn({ name: 'alice', password })).status, 401);
  });

  it('import reports each item and exits 1 when one failed; again, all unchanged; export writes what GET answers', async () => {
    const file = path.join(ROOT, 'test/fixtures/outlook-export.ics');
    const first = await run(['import', 'alice', 'default', file]);
    assert.equal(first.code, 1, 'one item of the file is broken');
    assert.match(first.stdout, /^created\s+\t040000008200E0007.*\t\/dav\/calendars\/alice\/default\/040000008200E0007\S*\.ics$/m);
    assert.match(first.stdout, /^failed\s+\tbroken@example\.com\t-\t.*DTSTART/m);
    assert.match(first.stdout, /^3 created, 0 updated, 0 unchanged, 1 failed \(\/dav\/calendars\/alice\/default\/\)$/m);
    const again = await run(['import', '--quiet', 'alice', 'calendars/default', file]);
    assert.equal(again.stdout, '0 created, 0 updated, 3 unchanged, 1 failed (/dav/calendars/alice/default/)\n');

    const cards = await run(['import', 'alice', 'default', '-'], readFileSync(path.join(ROOT, 'test/fixtures/card-v4-bob.vcf'), 'utf8'));
    assert.equal(cards.code, 0, cards.stderr);
    assert.match(cards.stdout, /1 created, .* \(\/dav\/addressbooks\/alice\/default\/\)/, 'a bare name goes to the collection of the file\'s kind');

    const get = await s.request('GET', '/dav/calendars/alice/default/');
    const stdout = await run(['export', 'alice', 'calendars/default']);
    assert.equal(stdout.code, 0, stdout.stderr);
    assert.equal(stdout.stdout, get.text);
    const out = path.join(tmp, 'alice.ics');
    const toFile = await run(['export', 'alice', 'calendars/default', out]);
    assert.equal(toFile.code, 0, toFile.stderr);
    assert.equal(readFileSync(out, 'utf8'), get.text);
    const ambiguous = await run(['export', 'alice', 'default']);
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.stderr, /say calendars\/default or addressbooks\/default/);
  });

  it('check says all is well, then finds an object that no longer reads', async () => {
    const healthy = await run(['check']);
    assert.equal(healthy.code, 0, healthy.stdout + healthy.stderr);
    assert.match(healthy.stdout, /^migrations: up to date$/m);
    assert.match(healthy.stdout, /^store: \d+ users, .*\d+ objects; 0 unreadable$/m);
    assert.match(healthy.stdout, /all is well/);

    const alice = (await s.store.getUser('alice'))!;
    const calendar = (await s.store.getCollection(alice.id, 'calendar', 'default'))!;
    // Written past validation, as data an older version accepted would be.
    await s.store.putObject(calendar.id, { uri: 'rotten.ics', uid: 'rotten', etag: '"r"', component: 'VEVENT', data: Buffer.from('not iCalendar') });
    const found = await run(['check']);
    assert.equal(found.code, 1);
    assert.match(found.stdout, /^PROBLEM \/dav\/calendars\/alice\/default\/rotten\.ics no longer reads: /m);
    assert.match(found.stdout, /1 problem found/);
    await s.store.deleteObject(calendar.id, 'rotten.ics');
  });

  it(`backup on ${TEST_ENGINE}`, async () => {
    const r = await run(['backup', path.join(tmp, 'backup.sqlite')]);
    if (TEST_ENGINE === 'postgres') {
      assert.equal(r.code, 1);
      assert.match(r.stderr, /pg_dump/);
    } else {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /written to .*backup\.sqlite/);
    }
  });
});
