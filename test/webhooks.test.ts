// Watch channels of the JSON API (events.watch, channels.stop) and their web-hook
// notifications, Google's way: a `sync` message numbered 1 right after the watch, an
// `exists` with a higher number after changes, never on the write's path, retried on
// passing failures, and nothing after stop or expiry. The receivers are real HTTP
// servers on loopback. Each test watches a calendar of its own, so they run at once.

import { calendar } from '@googleapis/calendar';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { event } from './helpers/ics.js';
import { startReceiver, type ReceivedRequest, type Receiver } from './helpers/receiver.js';
import { ALICE, BOB, startServerAt, startTestServer, type TestServer, type TestUser } from './helpers/server.js';
import { cs, multistatus, propfindBody, propText } from './helpers/xml.js';

const API = '/calendar/v3';
/** Longer than the first retry (1 s) plus the delivery worker's poll (1 s): what would come has come. */
const QUIET_MS = 2500;

interface Channel {
  kind: string;
  id: string;
  resourceId: string;
  resourceUri: string;
  token?: string;
  expiration: string;
}

const header = (request: ReceivedRequest, name: string) => request.headers[name.toLowerCase()] as string | undefined;
const messageNumber = (request: ReceivedRequest) => Number(header(request, 'X-Goog-Message-Number'));
const state = (request: ReceivedRequest) => header(request, 'X-Goog-Resource-State');

const api = (s: TestServer, path: string, body: unknown, user: TestUser = ALICE) =>
  s.request('POST', `${API}${path}`, { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' }, user });

const calendarPath = (calendarId: string) => `/dav/calendars/alice/${calendarId}/`;

/** A new calendar of alice's; returns its id in the API. */
async function newCalendar(s: TestServer): Promise<string> {
  const calendarId = `cal-${randomUUID()}`;
  assert.equal((await s.request('MKCALENDAR', calendarPath(calendarId))).status, 201);
  return calendarId;
}

async function put(s: TestServer, calendarId: string, uid = randomUUID()): Promise<void> {
  const r = await s.request('PUT', `${calendarPath(calendarId)}${uid}.ics`, { body: event(uid, '20240301T100000Z', '20240301T103000Z') });
  assert.equal(r.status, 201, r.text);
}

async function ctag(s: TestServer, calendarId: string): Promise<string | undefined> {
  const r = await s.request('PROPFIND', calendarPath(calendarId), { headers: { Depth: '0' }, body: propfindBody('<CS:getctag/>') });
  return propText(multistatus(r.text).get(calendarPath(calendarId)), cs('getctag'));
}

const watchRequest = (s: TestServer, calendarId: string, body: Record<string, unknown>, user?: TestUser) =>
  api(s, `/calendars/${calendarId}/events/watch`, { id: `ch-${randomUUID()}`, type: 'web_hook', ...body }, user);

/** A channel on one of alice's calendars to a fresh receiver, once its `sync` has arrived. */
async function watched(s: TestServer, calendarId: string, body: Record<string, unknown> = {}): Promise<{ channel: Channel; receiver: Receiver }> {
  const receiver = await startReceiver();
  const r = await watchRequest(s, calendarId, { address: `${receiver.url}/hook`, ...body });
  assert.equal(r.status, 200, r.text);
  await receiver.waitFor(1);
  return { channel: JSON.parse(r.text) as Channel, receiver };
}

describe('web-hook channels', { concurrency: true }, () => {
  let s: TestServer;
  const receivers: Receiver[] = [];
  /** Like watched(), closing the receiver at the end. */
  const watch = async (calendarId: string, body: Record<string, unknown> = {}) => {
    const w = await watched(s, calendarId, body);
    receivers.push(w.receiver);
    return w;
  };

  before(async () => {
    s = await startTestServer({ DAVENPORT_NOTIFY_GIVE_UP_SECONDS: '5' });
    // Makes the users' default calendars.
    for (const user of [ALICE, BOB]) await s.request('PROPFIND', '/dav/', { headers: { Depth: '0' }, user });
  });
  after(async () => {
    await s.close();
    await Promise.all(receivers.map((r) => r.close()));
  });

  it('answers the watch with the channel and sends `sync`, number 1, with every header', async () => {
    const { channel, receiver } = await watch('primary', { token: 'target=alice&tag=1' });
    assert.equal(channel.kind, 'api#channel');
    assert.equal(channel.token, 'target=alice&tag=1');
    assert.equal(channel.resourceUri, `${s.url}calendar/v3/calendars/primary/events?alt=json`);
    // The default ttl, a week, is under the server's cap of 30 days.
    assert.ok(Math.abs(Number(channel.expiration) - (Date.now() + 604_800_000)) < 60_000, channel.expiration);

    const [sync] = receiver.requests;
    assert.equal(sync!.method, 'POST');
    assert.equal(sync!.path, '/hook');
    assert.equal(sync!.body.length, 0);
    assert.equal(header(sync!, 'Content-Length'), '0');
    assert.match(header(sync!, 'User-Agent')!, /^APIs-Google/);
    assert.equal(header(sync!, 'X-Goog-Channel-ID'), channel.id);
    assert.equal(header(sync!, 'X-Goog-Channel-Token'), 'target=alice&tag=1');
    assert.equal(header(sync!, 'X-Goog-Channel-Expiration'), new Date(Number(channel.expiration)).toUTCString());
    assert.equal(messageNumber(sync!), 1);
    assert.equal(state(sync!), 'sync');
    assert.equal(header(sync!, 'X-Goog-Resource-ID'), channel.resourceId);
    assert.equal(header(sync!, 'X-Goog-Resource-URI'), channel.resourceUri);
  });

  it('gives one calendar one resourceId, whatever it is called, and another calendar another', async () => {
    const { channel: primary } = await watch('primary');
    const { channel: byName } = await watch('default');
    assert.equal(byName.resourceId, primary.resourceId);
    const { channel: other } = await watch(await newCalendar(s));
    assert.notEqual(other.resourceId, primary.resourceId);
    const receiver = await startReceiver();
    receivers.push(receiver);
    const bobs = await watchRequest(s, 'primary', { type: 'webhook', address: receiver.url }, BOB);
    assert.equal(bobs.status, 200, bobs.text);
    assert.notEqual((JSON.parse(bobs.text) as Channel).resourceId, primary.resourceId);
  });

  it('notifies a CalDAV write with `exists` and a higher number, after answering the write', async () => {
    const calendarId = await newCalendar(s);
    const { channel, receiver } = await watch(calendarId);
    const HOLD_MS = 1000;
    receiver.reply = () => ({ status: 200, delayMs: HOLD_MS });
    await put(s, calendarId);
    const writeAnsweredAt = Date.now();
    const [, exists] = await receiver.waitFor(2);
    assert.equal(state(exists!), 'exists');
    assert.ok(messageNumber(exists!) > 1);
    assert.equal(header(exists!, 'X-Goog-Channel-ID'), channel.id);
    // Had the write waited for the delivery, it would have been answered after the receiver's hold.
    assert.ok(writeAnsweredAt < exists!.receivedAt + HOLD_MS / 2, `write answered ${writeAnsweredAt - exists!.receivedAt} ms after the delivery came in`);
  });

  it('coalesces a burst of writes into fewer notifications, one of them after the last write', async () => {
    const calendarId = await newCalendar(s);
    const { receiver } = await watch(calendarId);
    // What a client syncing on each notification would see.
    const seen: (string | undefined)[] = [];
    receiver.reply = async () => {
      seen.push(await ctag(s, calendarId));
      return { status: 200 };
    };
    await Promise.all(Array.from({ length: 20 }, () => put(s, calendarId)));
    const final = await ctag(s, calendarId);
    await sleep(QUIET_MS);
    const notified = receiver.requests.slice(1);
    assert.ok(notified.length >= 1 && notified.length < 20, `${notified.length} notifications for 20 writes`);
    assert.ok(seen.includes(final), 'no notification came after the last write');
    const numbers = notified.map(messageNumber);
    assert.equal(new Set(numbers).size, numbers.length);
    assert.ok(numbers.every((n) => n > 1));
  });

  it('retries a 503 soon, and takes a 400 as final', async () => {
    const calendarId = await newCalendar(s);
    const retried = await watch(calendarId);
    const refused = await watch(calendarId);
    retried.receiver.reply = () => ({ status: retried.receiver.requests.length === 2 ? 503 : 200 });
    refused.receiver.reply = () => ({ status: 400 });
    await put(s, calendarId);

    const [, failed, retry] = await retried.receiver.waitFor(3, 6000);
    assert.equal(state(retry!), 'exists');
    assert.ok(retry!.receivedAt - failed!.receivedAt < 4000, `retried after ${retry!.receivedAt - failed!.receivedAt} ms`);
    assert.ok(messageNumber(retry!) > messageNumber(failed!));

    await sleep(QUIET_MS);
    assert.equal(refused.receiver.requests.length, 2);
    assert.equal(retried.receiver.requests.length, 3);
  });

  it('sends nothing after channels.stop or after the channel expires', async () => {
    const calendarId = await newCalendar(s);
    const stopped = await watch(calendarId);
    const expiring = await watch(calendarId, { expiration: String(Date.now() + 2000) });
    assert.ok(Number(expiring.channel.expiration) <= Date.now() + 2000);

    const r = await api(s, '/channels/stop', { id: stopped.channel.id, resourceId: stopped.channel.resourceId });
    assert.equal(r.status, 204);
    assert.equal(r.text, '');
    await sleep(Number(expiring.channel.expiration) - Date.now() + 100);
    await put(s, calendarId);
    await sleep(QUIET_MS);
    assert.equal(stopped.receiver.requests.length, 1);
    assert.equal(expiring.receiver.requests.length, 1);
  });

  it('lets only the channel\'s owner stop it, by its id and resourceId', async () => {
    const { channel } = await watch(await newCalendar(s));
    const stop = (body: unknown, user?: TestUser) => api(s, '/channels/stop', body, user);
    assert.equal((await stop({ id: channel.id, resourceId: channel.resourceId }, BOB)).status, 404);
    assert.equal((await stop({ id: channel.id, resourceId: 'not-it' })).status, 404);
    assert.equal((await stop({ id: 'no-such-channel', resourceId: channel.resourceId })).status, 404);
    assert.equal((await stop({ resourceId: channel.resourceId })).status, 400);
    assert.equal((await stop({ id: channel.id, resourceId: channel.resourceId })).status, 204);
    assert.equal((await stop({ id: channel.id, resourceId: channel.resourceId })).status, 404);
  });

  it('refuses bad watch requests with 400 and a JSON error', async () => {
    const calendarId = await newCalendar(s);
    const { channel } = await watch(await newCalendar(s));
    const good = { id: `ch-${randomUUID()}`, type: 'web_hook', address: 'http://127.0.0.1:9/hook' };
    const bad: [string, Record<string, unknown>][] = [
      ['no id', { ...good, id: undefined }],
      ['no address', { ...good, address: undefined }],
      ['another type', { ...good, type: 'email' }],
      ['an id over 64 characters', { ...good, id: 'x'.repeat(65) }],
      ['an id with other characters', { ...good, id: 'a b' }],
      ['a token over 256 characters', { ...good, token: 't'.repeat(257) }],
      ['https to a private network', { ...good, address: 'https://10.0.0.1/x' }],
      ['http to another host than loopback', { ...good, address: 'http://example.com/x' }],
      ['an address that is no URL', { ...good, address: 'hook' }],
      ['an expiration in the past', { ...good, expiration: String(Date.now() - 1000) }],
      ['a ttl that is no number', { ...good, params: { ttl: 'week' } }],
      ['an id in use (on another calendar)', { ...good, id: channel.id }],
    ];
    for (const [what, body] of bad) {
      const r = await api(s, `/calendars/${calendarId}/events/watch`, body);
      assert.equal(r.status, 400, `${what}: ${r.text}`);
      assert.match(r.headers.get('content-type') ?? '', /json/, what);
      assert.equal((JSON.parse(r.text) as { error: { code: number } }).error.code, 400, what);
    }
    assert.equal((await api(s, '/calendars/no-such-calendar/events/watch', good)).status, 404);
    // The type is case-insensitive; a short ttl wins over the default.
    const ok = await api(s, `/calendars/${calendarId}/events/watch`, { ...good, type: 'Web_Hook', params: { ttl: '60' } });
    assert.equal(ok.status, 200, ok.text);
    assert.ok(Number((JSON.parse(ok.text) as Channel).expiration) <= Date.now() + 60_000);
  });

  it('works with Google\'s own client', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const client = calendar({
      version: 'v3', rootUrl: s.url,
      headers: { Authorization: `Basic ${Buffer.from(`${ALICE.name}:${ALICE.password}`).toString('base64')}` },
    });
    const id = `google-${randomUUID()}`;
    const { data } = await client.events.watch({ calendarId: 'primary', requestBody: { id, type: 'web_hook', address: receiver.url, token: 'tok' } });
    assert.equal(data.id, id);
    assert.equal(data.token, 'tok');
    const [sync] = await receiver.waitFor(1);
    assert.equal(header(sync!, 'X-Goog-Resource-ID'), data.resourceId);
    const stopped = await client.channels.stop({ requestBody: { id, resourceId: data.resourceId! } });
    assert.equal(stopped.status, 204);
  });

  it('delivers each change once with two nodes on one store', async () => {
    const calendarId = await newCalendar(s);
    const other = await s.startAnotherNode();
    try {
      const { receiver } = await watch(calendarId);
      await put(other, calendarId);
      await receiver.waitFor(2);
      await sleep(QUIET_MS);
      assert.deepEqual(receiver.requests.map(state), ['sync', 'exists']);
    } finally {
      await other.close();
    }
  });

  it('keeps channels across a restart, numbers still growing and nothing sent twice', async () => {
    const first = await startTestServer();
    const { channel, receiver } = await watched(first, 'primary');
    try {
      await put(first, 'default');
      await receiver.waitFor(2);
      await first.server.close(); // the store stays
      const second = await startServerAt(first.location);
      try {
        await put(second, 'default');
        await receiver.waitFor(3);
        await sleep(QUIET_MS);
      } finally {
        await second.close();
      }
      assert.deepEqual(receiver.requests.map(state), ['sync', 'exists', 'exists']);
      assert.deepEqual(receiver.requests.map((r) => header(r, 'X-Goog-Channel-ID')), [channel.id, channel.id, channel.id]);
      const numbers = receiver.requests.map(messageNumber);
      assert.equal(numbers[0], 1);
      assert.ok(numbers[0]! < numbers[1]! && numbers[1]! < numbers[2]!, numbers.join());
    } finally {
      await receiver.close();
    }
  });
});
