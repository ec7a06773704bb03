// Start-up contract of the real CLI (`npm start`, `npm run user`): the compiled CLI as a
// child process (helpers/cli.ts) on a free loopback port over a temporary data
// directory, spoken to over HTTP. Every wait is bounded.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { cli, envWith, freePort, ROOT, serveChild, type ServedChild } from './helpers/cli.js';
import { d, multistatus, propHref, propfindBody } from './helpers/xml.js';

const STOP_TIMEOUT_MS = 10_000;

const tmpDirs: string[] = [];
const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'davenport-startup-'));
  tmpDirs.push(dir);
  return dir;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, then the process must exit 0 on its own within STOP_TIMEOUT_MS (stop() kills it after that). */
async function stopGracefully(s: ServedChild): Promise<void> {
  const started = Date.now();
  const { code, signal } = await s.stop();
  assert.equal(signal, null, `killed by ${signal}, stderr: ${s.stderr()}`);
  assert.equal(code, 0, `exit code after SIGTERM; stderr: ${s.stderr()}`);
  assert.ok(Date.now() - started < STOP_TIMEOUT_MS);
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

async function dav(url: string, method: string, p: string, auth: string | null, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const h: Record<string, string> = { ...headers };
  if (auth) h.Authorization = auth;
  if (body !== undefined && !h['Content-Type']) h['Content-Type'] = 'application/xml; charset=utf-8';
  const res = await fetch(`${url}${p}`, { method, headers: h, body, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

async function currentUserPrincipal(url: string, auth: string): Promise<string | undefined> {
  const res = await dav(url, 'PROPFIND', '/', auth, propfindBody('<D:current-user-principal/>'), { Depth: '0' });
  assert.equal(res.status, 207, res.text);
  return propHref([...multistatus(res.text).values()][0], d('current-user-principal'));
}

/** Principal → calendar-home-set → Depth 1 listing of the home: the calendar hrefs. */
async function discoverCalendars(url: string, auth: string): Promise<string[]> {
  const principal = await currentUserPrincipal(url, auth);
  assert.ok(principal, 'current-user-principal');
  const res = await dav(url, 'PROPFIND', principal, auth, propfindBody('<C:calendar-home-set/>'), { Depth: '0' });
  assert.equal(res.status, 207, res.text);
  const home = propHref(multistatus(res.text).get(principal), '{urn:ietf:params:xml:ns:caldav}calendar-home-set');
  assert.ok(home, `calendar-home-set in ${res.text}`);
  const list = await dav(url, 'PROPFIND', home, auth, propfindBody('<D:resourcetype/>'), { Depth: '1' });
  assert.equal(list.status, 207, list.text);
  return [...multistatus(list.text).values()]
    .filter((r) => r.props.get(d('resourcetype'))?.el.children.some((c) => c.name === '{urn:ietf:params:xml:ns:caldav}calendar'))
    .map((r) => r.href);
}

const EVENT = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//Davenport//startup test//EN',
  'BEGIN:VEVENT',
  'UID:startup-1@example.com',
  'DTSTAMP:20240101T000000Z',
  'DTSTART:20240102T100000Z',
  'DTEND:20240102T110000Z',
  'SUMMARY:Survives a restart',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

function migrationsApplied(dbFile: string): { name: string; applied_at: number }[] {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT name, applied_at FROM schema_migrations ORDER BY name').all() as { name: string; applied_at: number }[];
  } finally {
    db.close();
  }
}

const CREATED_RE = /Created user "admin" with password: (\S+)/g;

describe('serve with DAVENPORT_ADMIN_PASSWORD, then a restart on the same data', () => {
  const base = tempDir();
  const dataDir = path.join(base, 'data'); // does not exist yet: the server creates it
  const dbFile = path.join(dataDir, 'davenport.sqlite');
  const admin = basic('admin', 'first-admin-pw');
  let firstMigrations: { name: string; applied_at: number }[] = [];

  test('first start: admin exists, discovery finds the default calendar, SIGTERM exits 0', async () => {
    const s = await serveChild({ DAVENPORT_DATA_DIR: dataDir, DAVENPORT_ADMIN_PASSWORD: 'first-admin-pw' });
    try {
      assert.ok(existsSync(dbFile), `${dbFile} exists`);
      assert.doesNotMatch(s.stdout(), /with password:/, 'a given admin password is never printed');

      assert.equal((await dav(s.url, 'PROPFIND', '/', null, propfindBody('<D:current-user-principal/>'), { Depth: '0' })).status, 401);
      assert.equal((await dav(s.url, 'PROPFIND', '/', basic('admin', 'wrong'), propfindBody('<D:current-user-principal/>'), { Depth: '0' })).status, 401);
      const wk = await dav(s.url, 'PROPFIND', '/.well-known/caldav', null);
      assert.equal(wk.status, 301);
      assert.equal(wk.headers.get('location'), '/dav/');

      assert.equal(await currentUserPrincipal(s.url, admin), '/dav/principals/admin/');
      assert.ok((await discoverCalendars(s.url, admin)).includes('/dav/calendars/admin/default/'));

      const put = await dav(s.url, 'PUT', '/dav/calendars/admin/default/startup-1.ics', admin, EVENT, { 'Content-Type': 'text/calendar; charset=utf-8', 'If-None-Match': '*' });
      assert.equal(put.status, 201, put.text);
      // An idle keep-alive connection (fetch keeps one) must not hold up the shutdown.
    } finally {
      await stopGracefully(s);
    }
    firstMigrations = migrationsApplied(dbFile);
    assert.ok(firstMigrations.length > 0, 'migrations recorded');
  });

  test('second start reuses the database: no migration re-applied, admin not re-created, data kept', async () => {
    assert.ok(existsSync(dbFile), 'first start left the database');
    const s = await serveChild({ DAVENPORT_DATA_DIR: dataDir, DAVENPORT_ADMIN_PASSWORD: 'other-admin-pw' });
    try {
      assert.doesNotMatch(s.stdout(), /created user/i);
      assert.equal(await currentUserPrincipal(s.url, admin), '/dav/principals/admin/');
      const other = await dav(s.url, 'PROPFIND', '/', basic('admin', 'other-admin-pw'), propfindBody('<D:current-user-principal/>'), { Depth: '0' });
      assert.equal(other.status, 401, 'DAVENPORT_ADMIN_PASSWORD only applies when the admin is first created');
      const get = await dav(s.url, 'GET', '/dav/calendars/admin/default/startup-1.ics', admin);
      assert.equal(get.status, 200);
      assert.match(get.text, /SUMMARY:Survives a restart/);
    } finally {
      await stopGracefully(s);
    }
    assert.deepEqual(migrationsApplied(dbFile), firstMigrations);
  });
});

test('without DAVENPORT_ADMIN_PASSWORD a random admin password is printed once, and ./data is the default', async () => {
  const cwd = tempDir();
  const s = await serveChild({}, { cwd });
  let password: string;
  try {
    const deadline = Date.now() + 5_000;
    while (!s.stdout().includes('with password:') && Date.now() < deadline) await sleep(50);
    const printed = [...s.stdout().matchAll(CREATED_RE)];
    assert.equal(printed.length, 1, `password printed once on stdout: ${s.stdout()}`);
    password = printed[0]![1]!;
    assert.ok(password.length >= 12, 'a long random password');
    assert.ok(existsSync(path.join(cwd, 'data', 'davenport.sqlite')), 'database under ./data of the working directory');
    assert.equal(await currentUserPrincipal(s.url, basic('admin', password)), '/dav/principals/admin/');
  } finally {
    await stopGracefully(s);
  }
  const again = await serveChild({}, { cwd });
  try {
    assert.doesNotMatch(again.stdout(), /with password:/, 'not printed on the next start');
    assert.equal(await currentUserPrincipal(again.url, basic('admin', password)), '/dav/principals/admin/');
  } finally {
    await stopGracefully(again);
  }
});

test('`npm start` builds and serves the compiled server with the DAVENPORT_* contract', async () => {
  const port = await freePort();
  const dataDir = path.join(tempDir(), 'data');
  // Its own process group, so SIGTERM reaches npm, the shell and node alike.
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true,
    env: envWith({ DAVENPORT_HOST: '127.0.0.1', DAVENPORT_PORT: String(port), DAVENPORT_DATA_DIR: dataDir, DAVENPORT_ADMIN_PASSWORD: 'npm-start-pw' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  try {
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await fetch(`${url}/`, { signal: AbortSignal.timeout(2_000) });
        break;
      } catch {
        assert.ok(Date.now() < deadline && child.exitCode === null, `npm start did not answer HTTP: ${output}`);
        await sleep(250);
      }
    }
    const admin = basic('admin', 'npm-start-pw');
    assert.equal(await currentUserPrincipal(url, admin), '/dav/principals/admin/');
    assert.ok((await discoverCalendars(url, admin)).includes('/dav/calendars/admin/default/'));
    assert.ok(existsSync(path.join(dataDir, 'davenport.sqlite')));
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await withTimeout(exited, STOP_TIMEOUT_MS, 'npm start exit after SIGTERM');
    children.delete(child);
  }
});

describe('invalid configuration stops start-up, naming the setting', () => {
  async function expectRefused(vars: Record<string, string>, name: string): Promise<void> {
    const dataDir = path.join(tempDir(), 'data');
    const port = await freePort();
    const r = await cli(['serve'], { DAVENPORT_HOST: '127.0.0.1', DAVENPORT_PORT: String(port), DAVENPORT_DATA_DIR: dataDir, ...vars });
    assert.notEqual(r.code, 0, `exit code; stdout: ${r.stdout}`);
    assert.notEqual(r.code, null);
    assert.ok(r.stderr.includes(name), `stderr names ${name}: ${r.stderr}`);
    assert.ok(!existsSync(dataDir), 'nothing created in the data directory');
  }

  test('DAVENPORT_PORT=abc', () => expectRefused({ DAVENPORT_PORT: 'abc' }, 'DAVENPORT_PORT'));
  test('unknown key in the DAVENPORT_CONFIG file', async () => {
    const file = path.join(tempDir(), 'config.json');
    writeFileSync(file, JSON.stringify({ port: 5233, colour: 'blue' }));
    await expectRefused({ DAVENPORT_CONFIG: file }, 'colour');
  });
});

test('an orchestrator\'s DAVENPORT_* variables (Kubernetes, service named davenport) do not stop start-up; they are logged', async () => {
  const dir = tempDir();
  const port = await freePort();
  const file = path.join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ port })); // DAVENPORT_PORT is Kubernetes': the port comes from the file
  const s = await serveChild({
    DAVENPORT_CONFIG: file, DAVENPORT_DATA_DIR: path.join(dir, 'data'), DAVENPORT_ADMIN_PASSWORD: 'k8s-admin-pw',
    DAVENPORT_PORT: 'tcp://10.0.0.1:8080', DAVENPORT_SERVICE_HOST: '10.0.0.1', DAVENPORT_SERVICE_PORT: '8080',
    DAVENPORT_PORT_8080_TCP: 'tcp://10.0.0.1:8080', DAVENPORT_PORT_8080_TCP_ADDR: '10.0.0.1', DAVENPORT_DATA_DRI: '/typo',
  }, { port });
  try {
    const health = await dav(s.url, 'GET', '/health', null);
    assert.equal(health.status, 200, health.text);
    const warnings = s.stdout().split('\n').filter((l) => l.includes('"level":40')).join('\n');
    assert.match(warnings, /"variable":"DAVENPORT_PORT"/, s.stdout());
    assert.match(warnings, /"variable":"DAVENPORT_DATA_DRI"/, 'a likely typo is a warning');
    assert.doesNotMatch(warnings, /DAVENPORT_SERVICE_HOST/, 'Kubernetes\' own variables are no warning');
  } finally {
    await stopGracefully(s);
  }
});

test('user CLI: add (DAVENPORT_USER_PASSWORD), list, passwd against a running server', async () => {
  const dataDir = path.join(tempDir(), 'data');
  const s = await serveChild({ DAVENPORT_DATA_DIR: dataDir, DAVENPORT_ADMIN_PASSWORD: 'admin-pw-123', DAVENPORT_LOG_LEVEL: 'warn' });
  try {
    const add = await cli(['user', 'add', 'carol', '--email', 'carol@example.com'], { DAVENPORT_DATA_DIR: dataDir, DAVENPORT_USER_PASSWORD: 'carol-pw-123' });
    assert.equal(add.code, 0, `user add: ${add.stderr}`);
    assert.equal(await currentUserPrincipal(s.url, basic('carol', 'carol-pw-123')), '/dav/principals/carol/');
    assert.ok((await discoverCalendars(s.url, basic('carol', 'carol-pw-123'))).includes('/dav/calendars/carol/default/'));

    const dup = await cli(['user', 'add', 'carol'], { DAVENPORT_DATA_DIR: dataDir, DAVENPORT_USER_PASSWORD: 'carol-pw-456' });
    assert.notEqual(dup.code, 0, 'adding an existing user fails');

    const short = await cli(['user', 'add', 'dave'], { DAVENPORT_DATA_DIR: dataDir, DAVENPORT_USER_PASSWORD: 'short' });
    assert.notEqual(short.code, 0, 'the minimum length holds for DAVENPORT_USER_PASSWORD too');
    assert.match(short.stderr, /at least 8 characters/);
    const lowered = await cli(['user', 'add', 'dave'], { DAVENPORT_DATA_DIR: dataDir, DAVENPORT_USER_PASSWORD: 'short', DAVENPORT_MIN_PASSWORD_LENGTH: '4' });
    assert.equal(lowered.code, 0, `a test deployment may lower it: ${lowered.stderr}`);

    const list = await cli(['user', 'list'], { DAVENPORT_DATA_DIR: dataDir });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^admin\b/m);
    assert.match(list.stdout, /^carol\s+carol@example\.com/m);

    const passwd = await cli(['user', 'passwd', 'carol'], { DAVENPORT_DATA_DIR: dataDir, DAVENPORT_USER_PASSWORD: 'carol-pw-789' });
    assert.equal(passwd.code, 0, passwd.stderr);
    const old = await dav(s.url, 'PROPFIND', '/', basic('carol', 'carol-pw-123'), propfindBody('<D:current-user-principal/>'), { Depth: '0' });
    assert.equal(old.status, 401, 'the old password stops working at once');
    assert.equal(await currentUserPrincipal(s.url, basic('carol', 'carol-pw-789')), '/dav/principals/carol/');
  } finally {
    await stopGracefully(s);
  }
});
