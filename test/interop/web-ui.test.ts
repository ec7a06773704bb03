// The web UI in a real browser: Debian's Chromium driven by playwright-core (no browser
// download). Logs in (and fails to with a wrong password), checks the session cookie,
// the listing with client URLs, an app password shown once / working / revoked, a CSRF
// refusal, the Apple profile download, the user admin, logging out, and that no page
// logs a console or script error (a CSP violation included). Takes the screenshots of
// the main pages at desktop and phone width that the README shows (docs/screenshots/).

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { addUser } from '../../src/accounts/index.js';
import { hashPassword } from '../../src/http/auth.js';
import { ALICE, startTestServer, type TestServer } from '../helpers/server.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const ADMIN = { name: 'admin', password: 'admin-secret' };
/** What the pages show as the server's address: the URL a reverse proxy would publish. */
const PUBLIC_URL = 'https://dav.example.org';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

describe('web UI in Chromium', { timeout: 300_000 }, () => {
  let s: TestServer;
  let browser: Browser;
  /** Console errors and uncaught script errors of every page, with the page's URL. */
  const problems: string[] = [];
  /** Pages a test is refused on purpose: the browser logs that 403 as a console error,
   *  maybe after the test has moved on, so the last test discounts it rather than each one. */
  const refusedOnPurpose = new Set<string>();

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (apt install chromium)`);
    s = await startTestServer({ DAVENPORT_PUBLIC_URL: PUBLIC_URL });
    await addUser(s.server.dav, { name: ADMIN.name, passwordHash: await hashPassword(ADMIN.password), email: null, displayName: 'Administrator', admin: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  async function open(viewport = DESKTOP): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport, baseURL: s.url, acceptDownloads: true, colorScheme: 'light', locale: 'en-GB' });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${page.url()}: console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`${page.url()}: script error: ${e.message}`));
    return { context, page };
  }

  async function logIn(page: Page, user: { name: string; password: string }): Promise<void> {
    await page.goto('/');
    await page.getByLabel('User name').fill(user.name);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Calendars & contacts' }).waitFor();
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
  const basicStatus = async (password: string) =>
    (await s.request('PROPFIND', '/dav/calendars/alice/', { user: null, headers: { Depth: '0', Authorization: `Basic ${Buffer.from(`alice:${password}`).toString('base64')}` } })).status;

  test('login page, a wrong password, then logging in with an HttpOnly SameSite session cookie', async () => {
    const { context, page } = await open();
    const res = await page.goto('/');
    assert.equal(res!.status(), 200);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Log in');
    await shot(page, 'login-desktop');

    await page.getByLabel('User name').fill(ALICE.name);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').waitFor();
    assert.match((await page.getByRole('alert').textContent())!, /user name or password is not right/);
    assert.equal(await page.getByLabel('User name').inputValue(), ALICE.name);
    assert.equal((await context.cookies()).some((c) => c.name === 'davenport_session'), false);

    await logIn(page, ALICE);
    const session = (await context.cookies()).find((c) => c.name === 'davenport_session')!;
    assert.ok(session, 'a session cookie');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
    assert.equal(session.path, '/');
    assert.equal(await page.evaluate(() => document.cookie.includes('davenport_session')), false, 'not readable by scripts');
    await context.close();
  });

  test('the start page lists calendars and address books with the URLs to give a client; screenshots', async () => {
    const { context, page } = await open();
    await logIn(page, ALICE);
    const newCalendar = page.locator('details', { has: page.locator('summary', { hasText: 'New calendar' }) });
    await newCalendar.locator('summary').click();
    await newCalendar.getByLabel('Name').fill('Family');
    await page.getByRole('button', { name: 'Create calendar' }).click();
    await page.getByRole('status').waitFor();
    const urls = await page.locator('input[type=url]').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
    assert.deepEqual(urls.sort(), [
      `${PUBLIC_URL}/dav/addressbooks/alice/default/`,
      `${PUBLIC_URL}/dav/calendars/alice/default/`,
      `${PUBLIC_URL}/dav/calendars/alice/family/`,
    ]);
    const family = page.getByRole('listitem').filter({ has: page.getByRole('heading', { level: 3, name: 'Family' }) });
    assert.ok(await family.isVisible());
    await family.getByRole('button', { name: 'Make a public link' }).click();
    await page.getByRole('status').waitFor();
    const feed = await page.getByRole('listitem').filter({ has: page.getByRole('heading', { level: 3, name: 'Family' }) })
      .getByLabel(/Public read-only link/).inputValue();
    assert.match(feed, new RegExp(`^${PUBLIC_URL}/feeds/[A-Za-z0-9_-]{32}\\.ics$`));
    await page.goto('/');
    await shot(page, 'calendars-desktop');
    await context.close();
  });

  test('an app password is shown once, works over Basic, is listed with created / last used, and stops working when revoked', async () => {
    const { context, page } = await open();
    await logIn(page, ALICE);
    await page.getByRole('link', { name: 'App passwords' }).click();
    await page.getByRole('heading', { name: 'New app password' }).waitFor();
    await page.getByLabel('Name').fill('iPhone');
    await page.getByRole('button', { name: 'Create' }).click();
    const output = page.locator('output');
    await output.waitFor();
    const password = (await output.textContent())!.trim();
    assert.match(password, /^dp_\d+_\d+_[A-Za-z0-9_-]{32}$/);
    assert.equal(await basicStatus(password), 207);

    await page.goto('/web/app-passwords');
    assert.equal(await page.locator('output').count(), 0, 'shown only once');
    assert.equal((await page.content()).includes(password), false);
    const row = page.getByRole('row', { name: /iPhone/ });
    assert.match((await row.textContent())!, /iPhone\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\s+\d{4}-\d\d-\d\d/, 'created and last used');
    await shot(page, 'app-passwords-desktop');

    await row.getByRole('button', { name: /Revoke/ }).click();
    await page.getByRole('status').waitFor();
    assert.equal(await page.getByRole('row', { name: /iPhone/ }).count(), 0);
    assert.equal(await basicStatus(password), 401);
    await context.close();
  });

  test('a form with a wrong CSRF token is refused (403)', async () => {
    const { context, page } = await open();
    await logIn(page, ALICE);
    await page.goto('/web/app-passwords');
    await page.locator('form[action="/web/app-passwords"] input[name=csrf]').evaluate((el) => ((el as HTMLInputElement).value = 'forged'));
    await page.getByLabel('Name').fill('forged');
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/web/app-passwords') && r.request().method() === 'POST'), page.getByRole('button', { name: 'Create' }).click()]);
    assert.equal(response.status(), 403);
    refusedOnPurpose.add('/web/app-passwords');
    await page.getByRole('heading', { level: 1, name: 'Not allowed' }).waitFor();
    assert.equal((await s.store.listAppPasswords((await s.store.getUser(ALICE.name))!.id)).some((p) => p.label === 'forged'), false);
    await context.close();
  });

  test('the Apple profile link downloads a .mobileconfig for this server and user', async () => {
    const { context, page } = await open();
    await logIn(page, ALICE);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Apple profile' }).click()]);
    assert.equal(download.suggestedFilename(), 'alice.mobileconfig');
    const profile = readFileSync((await download.path())!, 'utf8');
    assert.match(profile, /<key>CalDAVHostName<\/key><string>dav\.example\.org<\/string>/);
    assert.match(profile, /<key>CardDAVPrincipalURL<\/key><string>\/dav\/principals\/alice\/<\/string>/);
    assert.match(profile, /<key>CalDAVUseSSL<\/key><true\/>/);
    assert.match(profile, /<key>CardDAVUsername<\/key><string>alice<\/string>/);
    await context.close();
  });

  test('user administration for an admin; hidden from and refused to others', async () => {
    const { context, page } = await open();
    await logIn(page, ADMIN);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await page.getByLabel('User name').fill('carol');
    await page.getByLabel('Password', { exact: true }).fill('carol-secret');
    await page.getByLabel('E-mail (optional)').fill('carol@example.com');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('status').waitFor();
    assert.ok(await page.getByRole('heading', { level: 3, name: 'carol' }).isVisible());
    await shot(page, 'users-desktop');
    await context.close();

    const other = await open();
    await logIn(other.page, ALICE);
    assert.equal(await other.page.getByRole('link', { name: 'Users' }).count(), 0);
    assert.equal((await other.page.goto('/web/users'))!.status(), 403);
    refusedOnPurpose.add('/web/users');
    await other.context.close();
  });

  test('the main pages at phone width', async () => {
    const { context, page } = await open(PHONE);
    await page.goto('/');
    await shot(page, 'login-phone');
    await logIn(page, ALICE);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px too wide)`);
    await shot(page, 'calendars-phone');
    await page.goto('/web/app-passwords');
    await page.getByLabel('Name').fill('Phone');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.locator('output').waitFor();
    await page.goto('/web/app-passwords'); // the list, without the new password on it
    await shot(page, 'app-passwords-phone');
    await context.close();
  });

  test('logging out ends the session', async () => {
    const { context, page } = await open();
    await logIn(page, ALICE);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('status').waitFor();
    assert.match((await page.getByRole('status').textContent())!, /You are logged out/);
    assert.equal((await context.cookies()).some((c) => c.name === 'davenport_session'), false);
    await page.goto('/web/app-passwords');
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Log in');
    await context.close();
  });

  test('no page logged a console error or a script error', () => {
    const onPurpose = (p: string) => p.includes('status of 403 (Forbidden)') && [...refusedOnPurpose].some((path) => p.includes(`${path}: console error`));
    assert.deepEqual(problems.filter((p) => !onPurpose(p)), []);
  });
});
