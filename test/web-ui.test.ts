// The web UI over real HTTP: the login page at / (while DAV methods there keep their
// Basic challenge), session cookies, CSRF refusals, sign-in rules (own password only,
// throttled and logged like Basic), expiry and logout, app passwords, collections,
// the Apple profile, security headers and the admin pages.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { addUser } from '../src/accounts/index.js';
import { hashPassword } from '../src/http/auth.js';
import { ALICE, BOB, startTestServer, type TestServer } from './helpers/server.js';
import { WebClient, type WebResponse } from './helpers/web-client.js';

const ADMIN = { name: 'root', password: 'root-secret' };

/** What the server logged at warn and above. */
const warnings: Record<string, unknown>[] = [];
const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line) as Record<string, unknown>) });

describe('web UI', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({}, log);
    await addUser(s.server.dav, { name: ADMIN.name, passwordHash: await hashPassword(ADMIN.password), email: null, displayName: null, admin: true });
  });
  after(() => s.close());

  const browser = () => new WebClient(s.url);
  const signedIn = async (user: { name: string; password: string } = ALICE) => {
    const b = browser();
    await b.logIn(user.name, user.password);
    return b;
  };
  const basic = (name: string, password: string) => `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;
  const assertSecurityHeaders = (res: WebResponse) => {
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  };

  it('a browser GET of / gets the login page, never a Basic challenge; DAV methods on / still get 401 with WWW-Authenticate', async () => {
    const page = await browser().get('/');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('www-authenticate'), null);
    assert.match(page.headers.get('content-type')!, /^text\/html/);
    assert.match(page.text, /<label for="username">User name<\/label>/);
    assert.match(page.text, /<label for="password">Password<\/label>/);
    assert.match(page.text, /<button type="submit">Log in<\/button>/);
    assert.doesNotMatch(page.text, /<script/i);
    assert.doesNotMatch(page.text, /\sstyle=/i);
    assertSecurityHeaders(page);
    for (const method of ['PROPFIND', 'OPTIONS', 'REPORT', 'PUT', 'POST']) {
      const dav = await s.request(method, '/', { user: null });
      assert.equal(dav.status, 401, method);
      assert.match(dav.headers.get('www-authenticate') ?? '', /^Basic /, method);
    }
    const propfind = await s.request('PROPFIND', '/', { headers: { Depth: '0' } });
    assert.equal(propfind.status, 207, 'with credentials, DAV on / works as before');
  });

  it('the stylesheet is served with the security headers; no page needs inline script or style', async () => {
    const css = await browser().get('/web/static/style.css');
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type')!, /^text\/css/);
    assertSecurityHeaders(css);
    const again = await browser().get('/web/static/style.css', { 'If-None-Match': css.headers.get('etag')! });
    assert.equal(again.status, 304);
  });

  it('logging in sets an HttpOnly SameSite session cookie (Secure only behind TLS) and shows the start page', async () => {
    const b = browser();
    const login = await b.get('/');
    const res = await b.post('/web/login', { csrf: WebClient.csrf(login), username: ALICE.name, password: ALICE.password });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/');
    const cookie = b.lastSetCookies.find((c) => c.startsWith('davenport_session='))!;
    assert.ok(cookie, 'a session cookie');
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=(Lax|Strict)/);
    assert.match(cookie, /; Path=\//);
    assert.doesNotMatch(cookie, /; Secure/, 'plain HTTP without a trusted proxy: not Secure');
    const home = await b.get('/');
    assert.equal(home.status, 200);
    assert.match(home.text, /Signed in as <strong>alice<\/strong>/);
    assert.match(home.text, /<button type="submit" class="quiet">Log out<\/button>/);
    assertSecurityHeaders(home);
  });

  it('behind a trusted TLS proxy (X-Forwarded-Proto: https) the cookie is Secure', async () => {
    const proxied = await startTestServer({ DAVENPORT_TRUST_PROXY: 'true' });
    try {
      const headers = { 'X-Forwarded-Proto': 'https' };
      const login = await fetch(new URL('/', proxied.url), { headers });
      const loginCookie = login.headers.getSetCookie().find((c) => c.startsWith('davenport_login='))!;
      assert.match(loginCookie, /; Secure/);
      const token = /name="csrf" value="([^"]+)"/.exec(await login.text())![1]!;
      const res = await fetch(new URL('/web/login', proxied.url), {
        method: 'POST', redirect: 'manual',
        headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded', Cookie: loginCookie.split(';')[0]! },
        body: new URLSearchParams({ csrf: token, username: ALICE.name, password: ALICE.password }),
      });
      assert.equal(res.status, 303);
      assert.match(res.headers.getSetCookie().find((c) => c.startsWith('davenport_session='))!, /; HttpOnly; SameSite=Lax; Secure/);
    } finally {
      await proxied.close();
    }
  });

  it('a wrong password, an unknown user and an app password do not open the web UI; failures go through the login throttle', async () => {
    const b = browser();
    const login = await b.get('/');
    const token = WebClient.csrf(login);
    const wrong = await b.post('/web/login', { csrf: token, username: BOB.name, password: 'not-it' });
    assert.equal(wrong.status, 200, 'the form again, with the reason');
    assert.match(wrong.text, /role="alert">The user name or password is not right/);
    assert.match(wrong.text, /value="bob"/, 'the name is kept in the form');
    assert.equal(b.cookies.has('davenport_session'), false);
    assert.ok(warnings.some((w) => w.level === 40 && w.msg === 'failed login' && w.user === 'bob' && w.address), 'logged at warn as Basic failures are');
    assert.equal(JSON.stringify(warnings).includes('not-it'), false, 'never the password');
    const unknown = await b.post('/web/login', { csrf: token, username: 'nobody', password: 'whatever1' });
    assert.match(unknown.text, /role="alert">The user name or password is not right/);

    const made = await (await signedIn(BOB)).post('/web/app-passwords', { csrf: WebClient.csrf(await (await signedIn(BOB)).get('/')), label: 'x' });
    assert.equal(made.status, 403, 'CSRF token of another session');
    const bobBrowser = await signedIn(BOB);
    const created = await bobBrowser.post('/web/app-passwords', { csrf: WebClient.csrf(await bobBrowser.get('/web/app-passwords')), label: 'phone' });
    const appPassword = /<output[^>]*>([^<]+)<\/output>/.exec(created.text)![1]!;
    const viaApp = await b.post('/web/login', { csrf: token, username: BOB.name, password: appPassword });
    assert.match(viaApp.text, /role="alert">The user name or password is not right/, 'app passwords are for programs, not the web UI');
    assert.equal(b.cookies.has('davenport_session'), false);

    // Many failures for one name: the throttle locks it, as it does for Basic.
    let last = wrong;
    for (let i = 0; i < 12 && last.status !== 429; i++) last = await b.post('/web/login', { csrf: token, username: 'victim', password: `guess-${i}` });
    assert.equal(last.status, 429);
    assert.ok(Number(last.headers.get('retry-after')) > 0);
    assert.match(last.text, /Too many failed logins/);
    const basicLocked = await s.request('PROPFIND', '/dav/', { user: { name: 'victim', password: 'x' } });
    assert.equal(basicLocked.status, 429, 'one throttle for Basic and the web UI');
  });

  it('a POST without the right CSRF token is refused with 403, the login form included', async () => {
    const b = await signedIn();
    const missing = await b.post('/web/app-passwords', { label: 'no-token' });
    assert.equal(missing.status, 403);
    assert.match(missing.text, /This form has expired or did not come from this site/);
    const wrong = await b.post('/web/collections', { csrf: 'A'.repeat(43), kind: 'calendar', name: 'Sneaky' });
    assert.equal(wrong.status, 403);
    assert.equal((await s.store.listCollections((await s.store.getUser(ALICE.name))!.id, 'calendar')).some((c) => c.displayname === 'Sneaky'), false);
    const fresh = browser();
    const noLoginToken = await fresh.post('/web/login', { username: ALICE.name, password: ALICE.password });
    assert.equal(noLoginToken.status, 403);
    assert.equal(fresh.cookies.has('davenport_session'), false);
  });

  it('log out ends the session on the server; an expired session is back at the login page', async () => {
    const b = await signedIn();
    const session = b.cookies.get('davenport_session')!;
    const home = await b.get('/');
    const out = await b.post('/web/logout', { csrf: WebClient.csrf(home) });
    assert.equal(out.status, 303);
    assert.equal(out.headers.get('location'), '/?done=logged-out');
    assert.equal(b.cookies.has('davenport_session'), false);
    const after = await b.get('/?done=logged-out');
    assert.match(after.text, /You are logged out/);
    assert.match(after.text, /Log in/);
    // The old cookie, replayed, no longer signs anyone in.
    const replay = new WebClient(s.url);
    replay.cookies.set('davenport_session', session);
    assert.doesNotMatch((await replay.get('/')).text, /Signed in as/);

    const shortLived = await startTestServer({ DAVENPORT_WEB_SESSION_SECONDS: '2' });
    try {
      const short = new WebClient(shortLived.url);
      await short.logIn(ALICE.name, ALICE.password);
      assert.match((await short.get('/')).text, /Signed in as/);
      await new Promise((resolve) => setTimeout(resolve, 2200));
      const expired = await short.get('/');
      assert.match(expired.text, /<button type="submit">Log in<\/button>/);
      const redirected = await short.get('/web/app-passwords');
      assert.equal(redirected.status, 303);
      assert.equal(redirected.headers.get('location'), '/');
    } finally {
      await shortLived.close();
    }
  });

  it('an app password is shown once in an <output>, works over Basic, lists created/last used, and stops working when revoked', async () => {
    const b = await signedIn();
    const page = await b.get('/web/app-passwords');
    assert.match(page.text, /<h2 id="new">New app password<\/h2>/);
    assert.match(page.text, /<label for="label">Name<\/label>/);
    assert.match(page.text, /<button type="submit">Create<\/button>/);
    const created = await b.post('/web/app-passwords', { csrf: WebClient.csrf(page), label: 'Thunderbird <laptop>' });
    assert.equal(created.status, 200);
    assert.equal(created.headers.get('cache-control'), 'no-store');
    const password = /<output[^>]*>([^<]+)<\/output>/.exec(created.text)![1]!;
    assert.match(password, /^dp_\d+_\d+_[A-Za-z0-9_-]{32}$/);
    assert.match(created.text, /Thunderbird &lt;laptop&gt;/, 'the name is escaped');

    const listed = await b.get('/web/app-passwords');
    assert.doesNotMatch(listed.text, /<output/, 'shown only once');
    assert.equal(listed.text.includes(password), false);
    assert.match(listed.text, /<td>Thunderbird &lt;laptop&gt;<\/td>\s*<td data-label="Created"><time/);

    const dav = await s.request('PROPFIND', '/dav/calendars/alice/', { user: null, headers: { Depth: '0', Authorization: basic(ALICE.name, password) } });
    assert.equal(dav.status, 207);
    assert.doesNotMatch((await b.get('/web/app-passwords')).text, /<td data-label="Last used"><span class="muted">never/);

    const taken = await b.post('/web/app-passwords', { csrf: WebClient.csrf(listed), label: 'Thunderbird <laptop>' });
    assert.equal(taken.status, 409);

    const revoked = await b.post('/web/app-passwords/revoke', { csrf: WebClient.csrf(listed), label: 'Thunderbird <laptop>' });
    assert.equal(revoked.status, 303);
    const refused = await s.request('PROPFIND', '/dav/calendars/alice/', { user: null, headers: { Depth: '0', Authorization: basic(ALICE.name, password) } });
    assert.equal(refused.status, 401);
  });

  it('lists calendars and address books with absolute client URLs; create, rename, recolour and delete', async () => {
    const b = await signedIn();
    const home = await b.get('/');
    const origin = s.url.replace(/\/$/, '');
    assert.match(home.text, new RegExp(`value="${origin}/dav/calendars/alice/default/"`));
    assert.match(home.text, new RegExp(`value="${origin}/dav/addressbooks/alice/default/"`));
    assert.match(home.text, /<h3 id="[^"]+">Calendar<\/h3>/);
    assert.match(home.text, /<h3 id="[^"]+">Contacts<\/h3>/);

    const token = WebClient.csrf(home);
    const created = await b.post('/web/collections', { csrf: token, kind: 'calendar', name: 'Work & <Play>', color: '#ff8800' });
    assert.equal(created.status, 303);
    const alice = (await s.store.getUser(ALICE.name))!;
    const work = (await s.store.listCollections(alice.id, 'calendar')).find((c) => c.displayname === 'Work & <Play>')!;
    assert.equal(work.uri, 'work-play');
    assert.equal(work.color, '#ff8800');
    const listed = await b.get('/?done=created');
    assert.match(listed.text, /role="status">Created\./);
    assert.match(listed.text, /Work &amp; &lt;Play&gt;/);
    assert.match(listed.text, /<circle cx="8" cy="8" r="7" fill="#ff8800"\/>/);
    const propfind = await s.request('PROPFIND', '/dav/calendars/alice/work-play/', { headers: { Depth: '0' } });
    assert.equal(propfind.status, 207, 'a client finds it at the URL shown');

    const again = await b.post('/web/collections', { csrf: token, kind: 'calendar', name: 'Work & Play' });
    assert.equal(again.status, 303);
    assert.equal((await s.store.listCollections(alice.id, 'calendar')).filter((c) => c.uri.startsWith('work-play')).length, 2, 'a taken URL gets a suffix');

    const book = await b.post('/web/collections', { csrf: token, kind: 'addressbook', name: 'Friends' });
    assert.equal(book.status, 303);
    assert.ok(await s.store.getCollection(alice.id, 'addressbook', 'friends'));

    const renamed = await b.post('/web/collections/calendar/work-play/update', { csrf: token, name: 'Office', color: '#00aa55' });
    assert.equal(renamed.status, 303);
    const office = (await s.store.getCollection(alice.id, 'calendar', 'work-play'))!;
    assert.equal(office.displayname, 'Office');
    assert.equal(office.color, '#00aa55');
    const badColor = await b.post('/web/collections/calendar/work-play/update', { csrf: token, name: 'Office', color: 'red;x' });
    assert.equal(badColor.status, 400);

    const unconfirmed = await b.post('/web/collections/calendar/work-play/delete', { csrf: token });
    assert.equal(unconfirmed.status, 400);
    const deleted = await b.post('/web/collections/calendar/work-play/delete', { csrf: token, confirm: 'yes' });
    assert.equal(deleted.status, 303);
    assert.equal(await s.store.getCollection(alice.id, 'calendar', 'work-play'), undefined);
    const missing = await b.post('/web/collections/calendar/work-play/delete', { csrf: token, confirm: 'yes' });
    assert.equal(missing.status, 404);
    const otherKind = await b.post('/web/collections/inbox/x/delete', { csrf: token, confirm: 'yes' });
    assert.equal(otherKind.status, 404);
  });

  it('imports an .ics file (per-item report, METHOD dropped, re-import updates) and exports it back; the same for a .vcf', async () => {
    const b = await signedIn(BOB);
    const token = WebClient.csrf(await b.get('/'));
    const event = (uid: string, summary: string) =>
      `BEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260301T090000Z\r\nDTEND:20260301T100000Z\r\nSUMMARY:${summary}\r\nEND:VEVENT\r\n`;
    const ics = (summary: string) =>
      `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Microsoft Corporation//Outlook 16.0//EN\r\nMETHOD:PUBLISH\r\n${event('one@example.com', summary)}${event('two@example.com', 'Two')}END:VCALENDAR\r\n`;
    const upload = (data: string, path = '/web/collections/calendar/default/import', name = 'outlook.ics') =>
      b.upload(path, { csrf: token }, { field: 'file', name, type: 'text/calendar', data });

    const first = await upload(ics('One'));
    assert.equal(first.status, 200);
    assert.match(first.text, /role="status">Imported “outlook\.ics”: 2 added, 0 updated, 0 unchanged, 0 failed\./);
    assert.match(first.text, /<code>one@example\.com<\/code><\/td>\s*<td data-label="Result">added/);
    const again = await upload(ics('One moved'));
    assert.match(again.text, /0 added, 1 updated, 1 unchanged, 0 failed/);
    const bob = (await s.store.getUser(BOB.name))!;
    const calendar = (await s.store.getCollection(bob.id, 'calendar', 'default'))!;
    let count = 0;
    for await (const page of s.store.iterateObjects(calendar.id)) {
      for (const o of page) {
        count++;
        assert.doesNotMatch(o.data.toString(), /METHOD:/);
      }
    }
    assert.equal(count, 2, 're-importing does not duplicate');

    const exported = await b.get('/web/collections/calendar/default/export');
    assert.equal(exported.status, 200);
    assert.match(exported.headers.get('content-type')!, /^text\/calendar/);
    assert.match(exported.headers.get('content-disposition')!, /attachment; filename="default\.ics"/);
    assert.match(exported.text, /SUMMARY:One moved/);
    assert.match(exported.text, /UID:two@example\.com/);
    // Round trip: the export imported again updates the same two events, adds nothing.
    const roundTrip = await upload(exported.text, '/web/collections/calendar/default/import', 'default.ics');
    assert.match(roundTrip.text, /0 added, \d updated, \d unchanged, 0 failed/);

    const broken = await upload(`BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n${event('ok@example.com', 'Fine')}BEGIN:VEVENT\r\nUID:bad@example.com\r\nDTSTART:notadate\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`);
    assert.equal(broken.status, 200);
    assert.match(broken.text, /role="alert">Imported “outlook\.ics” with problems: 1 added, 0 updated, 0 unchanged, 1 failed/);
    const notCalendar = await upload('hello');
    assert.equal(notCalendar.status, 400);
    assert.equal((await upload('')).status, 400);

    const vcf = 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:card-1\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\nEND:VCARD\r\n';
    const cards = await b.upload('/web/collections/addressbook/default/import', { csrf: token }, { field: 'file', name: 'contacts.vcf', type: 'text/vcard', data: vcf });
    assert.match(cards.text, /1 added, 0 updated, 0 unchanged, 0 failed/);
    const vcfOut = await b.get('/web/collections/addressbook/default/export');
    assert.match(vcfOut.headers.get('content-type')!, /^text\/vcard/);
    assert.match(vcfOut.text, /FN:Ada Lovelace/);
    assert.equal((await browser().get('/web/collections/calendar/default/export')).status, 303, 'signed in only');
  });

  it('a calendar gets a secret public .ics link (webcal) that works without an account until it is revoked', async () => {
    const b = await signedIn(BOB);
    const home = await b.get('/');
    const token = WebClient.csrf(home);
    assert.match(home.text, /<button type="submit" class="quiet">Make a public link<\/button>/);
    assert.equal((await b.post('/web/collections/addressbook/default/feed', { csrf: token })).status, 404, 'calendars only');
    const made = await b.post('/web/collections/calendar/default/feed', { csrf: token });
    assert.equal(made.status, 303);
    const page = await b.get('/?done=feed-made');
    const url = /value="(http:\/\/[^"]+\/feeds\/[A-Za-z0-9_-]{32}\.ics)"/.exec(page.text)![1]!;
    assert.ok(url.startsWith(s.url), 'absolute, on this server');
    assert.match(page.text, new RegExp(`href="${url.replace('http://', 'webcal://').replace(/[.]/g, '\\.')}"`));
    const feed = await fetch(url);
    assert.equal(feed.status, 200);
    assert.match(feed.headers.get('content-type')!, /^text\/calendar/);
    assert.match(await feed.text(), /^BEGIN:VCALENDAR/);
    const id = /name="id" value="(\d+)"/.exec(page.text)![1]!;
    const revoked = await b.post('/web/collections/calendar/default/feed-revoke', { csrf: token, id });
    assert.equal(revoked.status, 303);
    assert.equal((await fetch(url)).status, 404);
    assert.match((await b.get('/')).text, /Make a public link/);
    assert.equal((await b.post('/web/collections/calendar/default/feed-revoke', { csrf: token, id })).status, 404);
  });

  it('the birthday calendar is opt-in from the start page, read only there, and off again', async () => {
    const b = await signedIn(BOB);
    const home = await b.get('/');
    assert.match(home.text, /<input type="checkbox" name="enabled" value="yes"> Show a read-only birthday calendar/);
    const token = WebClient.csrf(home);
    const on = await b.post('/web/birthdays', { csrf: token, enabled: 'yes' });
    assert.equal(on.status, 303);
    const page = await b.get('/?done=birthdays-on');
    assert.match(page.text, /The birthday calendar is on/);
    assert.match(page.text, /name="enabled" value="yes" checked>/);
    assert.match(page.text, /Made by the server from your address books; read only\./);
    const bob = (await s.store.getUser(BOB.name))!;
    const generated = (await s.store.listCollections(bob.id, 'calendar')).find((c) => c.generator !== null)!;
    assert.ok(generated);
    const refused = await b.upload(`/web/collections/calendar/${generated.uri}/import`, { csrf: token }, { field: 'file', name: 'x.ics', type: 'text/calendar', data: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n' });
    assert.equal(refused.status, 403, 'nothing is imported into a generated calendar');
    const renamed = await b.post(`/web/collections/calendar/${generated.uri}/update`, { csrf: token, name: 'Geburtstage', color: '#123456' });
    assert.equal(renamed.status, 303, 'but it may be renamed and recoloured');
    const off = await b.post('/web/birthdays', { csrf: token });
    assert.equal(off.status, 303);
    assert.equal((await s.store.listCollections(bob.id, 'calendar')).some((c) => c.generator !== null), false);
    assert.match((await b.get('/')).text, /name="enabled" value="yes"> Show/);
    // Deleting it is turning it off, as a client's DELETE is.
    await b.post('/web/birthdays', { csrf: token, enabled: 'yes' });
    const again = (await s.store.listCollections(bob.id, 'calendar')).find((c) => c.generator !== null)!;
    assert.equal((await b.post(`/web/collections/calendar/${again.uri}/delete`, { csrf: token, confirm: 'yes' })).status, 303);
    assert.equal((await s.store.listCollections(bob.id, 'calendar')).some((c) => c.generator !== null), false);
  });

  it('the Apple profile is a .mobileconfig with CalDAV and CardDAV payloads for this server and user, without a password', async () => {
    const b = await signedIn();
    const res = await b.get('/web/apple-profile');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/x-apple-aspen-config');
    assert.match(res.headers.get('content-disposition')!, /attachment; filename="alice\.mobileconfig"/);
    const port = new URL(s.url).port;
    for (const kind of ['CalDAV', 'CardDAV']) {
      assert.match(res.text, new RegExp(`<key>${kind}HostName</key><string>127\\.0\\.0\\.1</string>`));
      assert.match(res.text, new RegExp(`<key>${kind}Port</key><integer>${port}</integer>`));
      assert.match(res.text, new RegExp(`<key>${kind}UseSSL</key><false/>`));
      assert.match(res.text, new RegExp(`<key>${kind}PrincipalURL</key><string>/dav/principals/alice/</string>`));
      assert.match(res.text, new RegExp(`<key>${kind}Username</key><string>alice</string>`));
    }
    assert.match(res.text, /<key>PayloadType<\/key><string>com\.apple\.caldav\.account<\/string>/);
    assert.match(res.text, /<key>PayloadType<\/key><string>com\.apple\.carddav\.account<\/string>/);
    assert.match(res.text, /<key>PayloadType<\/key><string>Configuration<\/string>/);
    assert.match(res.text, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<!DOCTYPE plist/);
    assert.doesNotMatch(res.text, /Password/);
    assert.equal((await browser().get('/web/apple-profile')).status, 303, 'signed in only');

    const behindTls = await startTestServer({ DAVENPORT_PUBLIC_URL: 'https://dav.example.org' });
    try {
      const c = new WebClient(behindTls.url);
      await c.logIn(ALICE.name, ALICE.password);
      const profile = await c.get('/web/apple-profile');
      assert.match(profile.text, /<key>CalDAVHostName<\/key><string>dav\.example\.org<\/string>/);
      assert.match(profile.text, /<key>CalDAVPort<\/key><integer>443<\/integer>/);
      assert.match(profile.text, /<key>CardDAVUseSSL<\/key><true\/>/);
      assert.match((await c.get('/')).text, /value="https:\/\/dav\.example\.org\/dav\/calendars\/alice\/default\/"/);
    } finally {
      await behindTls.close();
    }
  });

  it('user administration is for admins only (403 for others), with the CLI rules', async () => {
    const alice = await signedIn();
    assert.doesNotMatch((await alice.get('/')).text, /href="\/web\/users"/);
    assert.equal((await alice.get('/web/users')).status, 403);
    const aliceToken = WebClient.csrf(await alice.get('/'));
    assert.equal((await alice.post('/web/users', { csrf: aliceToken, name: 'mallory', password: 'mallory-secret' })).status, 403);
    assert.equal(await s.store.getUser('mallory'), undefined);
    assert.equal((await alice.post('/web/users/bob/delete', { csrf: aliceToken, confirm: 'yes' })).status, 403);

    const admin = await signedIn(ADMIN);
    const page = await admin.get('/web/users');
    assert.equal(page.status, 200);
    assert.match(page.text, /<h3 id="[^"]+">alice<\/h3>/);
    const token = WebClient.csrf(page);
    const short = await admin.post('/web/users', { csrf: token, name: 'dave', password: 'short' });
    assert.equal(short.status, 400);
    assert.match(short.text, /at least 8 characters/);
    const badName = await admin.post('/web/users', { csrf: token, name: '../x', password: 'long-enough' });
    assert.equal(badName.status, 400);
    const added = await admin.post('/web/users', { csrf: token, name: 'dave', password: 'dave-secret', email: 'dave@example.com' });
    assert.equal(added.status, 303);
    const dave = (await s.store.getUser('dave'))!;
    assert.equal((await s.store.listCollections(dave.id, 'calendar')).length, 1, 'a new user gets the default calendar');
    const duplicate = await admin.post('/web/users', { csrf: token, name: 'dave', password: 'dave-secret' });
    assert.equal(duplicate.status, 400);
    assert.match(duplicate.text, /already exists/);

    const daveBrowser = await signedIn({ name: 'dave', password: 'dave-secret' });
    assert.equal((await admin.post('/web/users/dave/password', { csrf: token, password: 'dave-new-secret' })).status, 303);
    assert.doesNotMatch((await daveBrowser.get('/')).text, /Signed in as/, 'a new password signs the browsers out');
    assert.equal((await s.request('PROPFIND', '/dav/principals/dave/', { user: { name: 'dave', password: 'dave-new-secret' }, headers: { Depth: '0' } })).status, 207);

    const daveAgain = await signedIn({ name: 'dave', password: 'dave-new-secret' });
    assert.equal((await admin.post('/web/users/dave/disable', { csrf: token })).status, 303);
    assert.doesNotMatch((await daveAgain.get('/')).text, /Signed in as/);
    const refused = browser();
    const login = await refused.get('/');
    assert.match((await refused.post('/web/login', { csrf: WebClient.csrf(login), username: 'dave', password: 'dave-new-secret' })).text, /role="alert">The user name or password is not right/);
    assert.equal(refused.cookies.has('davenport_session'), false);
    assert.equal((await admin.post('/web/users/dave/enable', { csrf: token })).status, 303);
    await signedIn({ name: 'dave', password: 'dave-new-secret' });

    const lastAdmin = await admin.post('/web/users/root/disable', { csrf: token });
    assert.equal(lastAdmin.status, 400);
    assert.match(lastAdmin.text, /last administrator/);
    assert.equal((await admin.post('/web/users/dave/delete', { csrf: token, confirm: 'yes' })).status, 303);
    assert.equal(await s.store.getUser('dave'), undefined);
    assert.equal((await admin.post('/web/users/dave/delete', { csrf: token, confirm: 'yes' })).status, 400);
  });

  it('a browser asking for /favicon.ico gets the icon, not a Basic challenge', async () => {
    const icon = await browser().get('/favicon.ico');
    assert.equal(icon.status, 200);
    assert.equal(icon.headers.get('content-type'), 'image/svg+xml');
  });

  it('unknown UI pages are 404 pages; outside /web/ nothing changes for DAV', async () => {
    const res = await browser().get('/web/nothing-here');
    assert.equal(res.status, 404);
    assertSecurityHeaders(res);
    assert.equal((await s.request('GET', '/dav/calendars/alice/', { user: null })).status, 401);
  });
});
