// Running it for real: the access log (one line per request at info), failed logins at
// warn, GET /health (with a database that answers and one that does not), GET /metrics
// (its content and who may read it), and start-up among an orchestrator's variables.
// The server's log is read from a pino logger writing to memory.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino, type Logger } from 'pino';
import { addUser } from '../src/accounts/index.js';
import { ConfigError, ignoredEnvironment, loadConfig } from '../src/config.js';
import { hashPassword, issueAppPassword } from '../src/http/auth.js';
import { event } from './helpers/ics.js';
import { ALICE, startTestServer, type TestServer, type TestUser } from './helpers/server.js';
import { propfindBody } from './helpers/xml.js';

const ADMIN: TestUser = { name: 'root', password: 'root-secret-1' };
const BOUNDED_WAIT_MS = 5_000;

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A logger at `level` whose lines the test reads. */
function capturedLog(level = 'info'): { log: Logger; lines: LogLine[]; text(): string } {
  const raw: string[] = [];
  const lines: LogLine[] = [];
  const log = pino({ level }, {
    write(s: string) {
      raw.push(s);
      lines.push(JSON.parse(s) as LogLine);
    },
  });
  return { log, lines, text: () => raw.join('') };
}

/**
 * The first line from index `from` on that `match` accepts, waiting (bounded) for it: a
 * line is written when the response has finished.
 */
async function lineFor(lines: LogLine[], match: (l: LogLine) => boolean, what: string, from = 0): Promise<LogLine> {
  const deadline = Date.now() + BOUNDED_WAIT_MS;
  for (;;) {
    const found = lines.slice(from).find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no log line ${what} in:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const basic = (name: string, password: string) => `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;
const accessLine = (id: string) => (l: LogLine) => (l.req as { id?: string } | undefined)?.id === id && l.msg === 'request completed';

describe('access log and failed logins', () => {
  let s: TestServer;
  const captured = capturedLog('info');
  before(async () => {
    s = await startTestServer({}, captured.log);
  });
  after(() => s.close());

  it('logs one line per request at info: request id (kept from X-Request-Id and answered back), user, method, path, status, duration', async () => {
    const res = await s.request('PROPFIND', '/dav/calendars/alice/?token=do-not-log', {
      headers: { Depth: '0', 'X-Request-Id': 'trace-4711', Cookie: 'davenport_session=cookie-value' }, body: propfindBody('<D:resourcetype/>'),
    });
    assert.equal(res.status, 207);
    assert.equal(res.headers.get('x-request-id'), 'trace-4711');
    const line = await lineFor(captured.lines, accessLine('trace-4711'), 'for trace-4711');
    assert.equal(line.level, 30, 'info');
    assert.deepEqual(line.req, { id: 'trace-4711', method: 'PROPFIND', path: '/dav/calendars/alice/' });
    assert.deepEqual(line.res, { statusCode: 207 });
    assert.equal(line.user, 'alice');
    assert.equal(line.address, '127.0.0.1');
    assert.equal(typeof line.responseTime, 'number');
    assert.ok((line.responseTime as number) >= 0);
    const text = captured.text();
    for (const secret of ['do-not-log', 'cookie-value', ALICE.password, basic(ALICE.name, ALICE.password).slice(6), 'Authorization', 'authorization']) {
      assert.ok(!text.includes(secret), `the log must not contain ${secret}`);
    }
  });

  it('makes a request id when none (or an unusable one) is sent; a request without credentials has no user', async () => {
    const res = await s.request('GET', '/dav/', { user: null, headers: { 'X-Request-Id': `bad id ${'x'.repeat(200)}` } });
    assert.equal(res.status, 401);
    const id = res.headers.get('x-request-id');
    assert.ok(id && /^[0-9a-f-]{36}$/.test(id), `a generated id, got ${id}`);
    const line = await lineFor(captured.lines, accessLine(id), `for ${id}`);
    assert.deepEqual(line.res, { statusCode: 401 });
    assert.equal(line.user, undefined);
    const other = await s.request('GET', '/dav/', { user: null });
    assert.notEqual(other.headers.get('x-request-id'), id);
  });

  it('logs a wrong Basic password on DAV at warn with the user name and address, never the password', async () => {
    const res = await s.request('PROPFIND', '/dav/', { user: { name: 'alice', password: 'wrong-horse-battery' }, headers: { Depth: '0' } });
    assert.equal(res.status, 401);
    const line = await lineFor(captured.lines, (l) => l.msg === 'failed login' && l.user === 'alice', 'failed login alice');
    assert.equal(line.level, 40, 'warn');
    assert.equal(line.address, '127.0.0.1');
    const access = await lineFor(captured.lines, accessLine(res.headers.get('x-request-id')!), 'access line of the refusal');
    assert.equal(access.user, undefined, 'a refused request is nobody');
    assert.ok(!captured.text().includes('wrong-horse-battery'));
  });

  it('logs an unknown user name on DAV too', async () => {
    await s.request('PROPFIND', '/dav/', { user: { name: 'mallory', password: 'guess-1234' }, headers: { Depth: '0' } });
    const line = await lineFor(captured.lines, (l) => l.msg === 'failed login' && l.user === 'mallory', 'failed login mallory');
    assert.equal(line.level, 40);
    assert.ok(!captured.text().includes('guess-1234'));
  });

  it('logs a wrong Bearer token on the JSON API with the user the token names; a token naming nobody as (bearer)', async () => {
    const alice = (await s.store.getUser(ALICE.name))!;
    const good = (await issueAppPassword(s.store, alice, 'phone'))!;
    const forged = good.replace(/_[A-Za-z0-9_-]{32}$/, `_${'A'.repeat(32)}`);
    const from = captured.lines.length;
    const res = await s.request('GET', '/calendar/v3/users/me/calendarList', { user: null, headers: { Authorization: `Bearer ${forged}` } });
    assert.equal(res.status, 401);
    const line = await lineFor(captured.lines, (l) => l.msg === 'failed login' && l.user === 'alice', 'bearer failure naming alice', from);
    assert.equal(line.level, 40);
    assert.equal(line.address, '127.0.0.1');
    const nobody = await s.request('GET', '/calendar/v3/users/me/calendarList', { user: null, headers: { Authorization: 'Bearer not-an-app-password' } });
    assert.equal(nobody.status, 401);
    await lineFor(captured.lines, (l) => l.msg === 'failed login' && l.user === '(bearer)', 'failed bearer without a user');
    assert.ok(!captured.text().includes(forged.slice(-32)), 'the secret is not logged');
    const ok = await s.request('GET', '/calendar/v3/users/me/calendarList', { user: null, headers: { Authorization: `Bearer ${good}` } });
    assert.equal(ok.status, 200);
    const access = await lineFor(captured.lines, accessLine(ok.headers.get('x-request-id')!), 'access line of the API call');
    assert.equal(access.user, 'alice');
  });

  it('logs a wrong password in the web UI\'s login form at warn; a signed-in page view names the user, never the cookie', async () => {
    const page = await s.request('GET', '/', { user: null, headers: { Accept: 'text/html' } });
    assert.equal(page.status, 200);
    const loginCookie = /davenport_login=([^;]+)/.exec(page.headers.get('set-cookie') ?? '')?.[1];
    assert.ok(loginCookie, 'the login form sets its CSRF cookie');
    const login = (password: string) => s.request('POST', '/web/login', {
      user: null,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `davenport_login=${loginCookie}` },
      body: new URLSearchParams({ csrf: loginCookie, username: 'alice', password }).toString(),
    });
    const from = captured.lines.length;
    const refused = await login('web-form-wrong-pw');
    assert.doesNotMatch(refused.headers.get('set-cookie') ?? '', /davenport_session=[^;]/, 'refused: no session');
    const line = await lineFor(captured.lines, (l) => l.msg === 'failed login' && l.user === 'alice', 'failed web login', from);
    assert.equal(line.level, 40);
    assert.equal(line.address, '127.0.0.1');
    assert.ok(!captured.text().includes('web-form-wrong-pw'));

    const ok = await login(ALICE.password);
    assert.equal(ok.status, 303);
    const session = /davenport_session=([^;]+)/.exec(ok.headers.get('set-cookie') ?? '')?.[1];
    assert.ok(session);
    const home = await s.request('GET', '/', { user: null, headers: { Accept: 'text/html', Cookie: `davenport_session=${session}` } });
    assert.equal(home.status, 200);
    const access = await lineFor(captured.lines, accessLine(home.headers.get('x-request-id')!), 'access line of the signed-in page');
    assert.equal(access.user, 'alice');
    assert.ok(!captured.text().includes(session), 'the session cookie is not logged');
  });
});

describe('access log above info', () => {
  let s: TestServer;
  const captured = capturedLog('warn');
  before(async () => {
    s = await startTestServer({}, captured.log);
  });
  after(() => s.close());

  it('writes no request line, yet still answers the request id (kept, or made)', async () => {
    const kept = await s.request('PROPFIND', '/dav/calendars/alice/', { headers: { Depth: '0', 'X-Request-Id': 'trace-warn' }, body: propfindBody('<D:resourcetype/>') });
    assert.equal(kept.status, 207);
    assert.equal(kept.headers.get('x-request-id'), 'trace-warn');
    const made = await s.request('GET', '/dav/', { user: null, headers: { 'X-Request-Id': 'bad id' } });
    assert.match(made.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(!captured.text().includes('request completed'), captured.text());
  });
});

describe('GET /health', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());

  it('answers 200 with the database status, without credentials', async () => {
    const res = await s.request('GET', '/health', { user: null });
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(JSON.parse(res.text), { status: 'ok', database: 'ok' });
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal((await s.request('HEAD', '/health', { user: null })).status, 200);
    assert.equal((await s.request('POST', '/health', { user: null })).status, 405);
  });

  it('answers 503 once the database does not answer', async () => {
    await s.store.close(); // the node's own connection(s): every statement now fails
    const res = await s.request('GET', '/health', { user: null });
    assert.equal(res.status, 503, res.text);
    assert.deepEqual(JSON.parse(res.text), { status: 'unavailable', database: 'error' });
  });
});

describe('GET /metrics', () => {
  const prometheusType = /^text\/plain; version=0\.0\.4/;

  describe('from loopback', () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer();
    });
    after(() => s.close());

    it('counts requests by method and status, times them, and reads objects and queued notifications from the store', async () => {
      const put = await s.request('PUT', '/dav/calendars/alice/default/m1.ics', { body: event('m1', '20260105T090000Z', '20260105T100000Z'), headers: { 'Content-Type': 'text/calendar' } });
      assert.equal(put.status, 201, put.text);
      for (let i = 0; i < 3; i++) assert.equal((await s.request('PROPFIND', '/dav/', { headers: { Depth: '0' } })).status, 207);
      await s.store.enqueue({ queue: 'metrics-test', payload: '{}' }); // nobody works this queue

      const res = await s.request('GET', '/metrics', { user: null });
      assert.equal(res.status, 200, res.text);
      assert.match(res.headers.get('content-type') ?? '', prometheusType);
      const text = res.text;
      assert.match(text, /^davenport_http_requests_total\{method="PROPFIND",status="207"\} 3$/m);
      assert.match(text, /^davenport_http_requests_total\{method="PUT",status="201"\} 1$/m);
      assert.match(text, /^# TYPE davenport_http_request_duration_seconds histogram$/m);
      assert.match(text, /^davenport_http_request_duration_seconds_bucket\{le="\+Inf",method="PROPFIND"\} 3$/m);
      assert.match(text, /^davenport_http_request_duration_seconds_count\{method="PUT"\} 1$/m);
      assert.match(text, /^davenport_objects 1$/m);
      assert.match(text, /^davenport_jobs_queued\{queue="metrics-test"\} 1$/m);
      assert.match(text, /^process_cpu_user_seconds_total /m);
      assert.match(text, /^nodejs_heap_size_used_bytes /m);
    });

    it('gives a method the server does not know no label of its own, and a queue once seen stays at 0', async () => {
      const made = await s.request('PURGE', '/dav/', {});
      assert.ok(made.status >= 400);
      const claimed = await s.store.claimJobs('metrics-test', 10, 60_000);
      for (const job of claimed) await s.store.completeJob(job);
      const text = (await s.request('GET', '/metrics', { user: null })).text;
      assert.doesNotMatch(text, /PURGE/);
      assert.match(text, /^davenport_http_requests_total\{method="OTHER",status="\d+"\} 1$/m);
      assert.match(text, /^davenport_jobs_queued\{queue="metrics-test"\} 0$/m);
    });
  });

  describe('behind a proxy (trustProxy): the client is the address the proxy saw', () => {
    let s: TestServer;
    const remote = { 'X-Forwarded-For': '203.0.113.5' };
    before(async () => {
      s = await startTestServer({ DAVENPORT_TRUST_PROXY: 'true' });
      await addUser(s.server.dav, { name: ADMIN.name, passwordHash: await hashPassword(ADMIN.password), email: null, displayName: null, admin: true });
    });
    after(() => s.close());

    it('asks a remote client without credentials to authenticate (401)', async () => {
      const res = await s.request('GET', '/metrics', { user: null, headers: remote });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm=/);
    });

    it('refuses a user who is not an admin (403) and wrong credentials (401)', async () => {
      assert.equal((await s.request('GET', '/metrics', { headers: remote })).status, 403);
      assert.equal((await s.request('GET', '/metrics', { user: { name: ADMIN.name, password: 'not-it-at-all' }, headers: remote })).status, 401);
    });

    it('serves an admin', async () => {
      const res = await s.request('GET', '/metrics', { user: ADMIN, headers: remote });
      assert.equal(res.status, 200, res.text);
      assert.match(res.headers.get('content-type') ?? '', prometheusType);
      assert.match(res.text, /^davenport_objects \d+$/m);
    });

    it('is not fooled by a loopback address the client put before the proxy\'s', async () => {
      const res = await s.request('GET', '/metrics', { user: null, headers: { 'X-Forwarded-For': '127.0.0.1, 203.0.113.5' } });
      assert.equal(res.status, 401);
    });

    it('serves a client the proxy saw on loopback', async () => {
      assert.equal((await s.request('GET', '/metrics', { user: null, headers: { 'X-Forwarded-For': '127.0.0.1' } })).status, 200);
    });
  });

  it('without trustProxy, X-Forwarded-For is ignored: a loopback client is served', async () => {
    const s = await startTestServer();
    try {
      assert.equal((await s.request('GET', '/metrics', { user: null, headers: { 'X-Forwarded-For': '203.0.113.5' } })).status, 200);
    } finally {
      await s.close();
    }
  });
});

describe('an orchestrator\'s DAVENPORT_* variables (Kubernetes service links)', () => {
  // What Kubernetes puts in every pod of a namespace with a service named davenport.
  const kubernetes = {
    DAVENPORT_PORT: 'tcp://10.0.0.1:8080',
    DAVENPORT_SERVICE_HOST: '10.0.0.1',
    DAVENPORT_SERVICE_PORT: '8080',
    DAVENPORT_SERVICE_PORT_HTTP: '8080',
    DAVENPORT_PORT_8080_TCP: 'tcp://10.0.0.1:8080',
    DAVENPORT_PORT_8080_TCP_PROTO: 'tcp',
    DAVENPORT_PORT_8080_TCP_PORT: '8080',
    DAVENPORT_PORT_8080_TCP_ADDR: '10.0.0.1',
    DAVENPORT_DB_SERVICE_HOST: '10.0.0.2',
  };

  it('does not stop start-up: they are ignored, and DAVENPORT_PORT falls back to the configured port', () => {
    const config = loadConfig({ ...kubernetes, DAVENPORT_HOST: '0.0.0.0' });
    assert.equal(config.port, 5233);
    assert.equal(config.host, '0.0.0.0');
  });

  it('names what is ignored: a warning for DAVENPORT_PORT and for a likely typo, a note for the service variables', () => {
    const ignored = ignoredEnvironment({ ...kubernetes, DAVENPORT_DATA_DRI: '/data', DAVENPORT_HOST: '0.0.0.0', HOME: '/root' });
    const byName = new Map(ignored.map((v) => [v.name, v]));
    assert.deepEqual([...byName.keys()].sort(), [...Object.keys(kubernetes), 'DAVENPORT_DATA_DRI'].sort());
    assert.equal(byName.get('DAVENPORT_PORT')!.warn, true);
    assert.match(byName.get('DAVENPORT_PORT')!.reason, /service address/);
    assert.equal(byName.get('DAVENPORT_DATA_DRI')!.warn, true);
    assert.match(byName.get('DAVENPORT_DATA_DRI')!.reason, /not a Davenport setting/);
    for (const name of Object.keys(kubernetes).filter((n) => n !== 'DAVENPORT_PORT')) assert.equal(byName.get(name)!.warn, false, name);
  });

  it('a number in DAVENPORT_PORT is ours and is used', () => {
    assert.equal(loadConfig({ ...kubernetes, DAVENPORT_PORT: '8443' }).port, 8443);
    assert.deepEqual(ignoredEnvironment({ DAVENPORT_PORT: '8443' }), []);
  });

  it('a malformed value of one of our settings still stops start-up, naming it', () => {
    for (const [name, value] of [['DAVENPORT_PORT', 'abc'], ['DAVENPORT_PORT', 'tcp://10.0.0.1'], ['DAVENPORT_PORT', '70000'], ['DAVENPORT_TRUST_PROXY', 'yes']]) {
      assert.throws(() => loadConfig({ [name!]: value }), (e: unknown) => e instanceof ConfigError && e.message.includes(name!), `${name}=${value}`);
    }
  });
});
