// WebDAV-Push (draft-bitfire-webdav-push-00) end to end, as DAVx5 uses it, against a
// real push service on loopback: discovery, push-register, the encrypted and
// VAPID-signed message a change sends, Push-Dont-Notify, renewal, removal, a push
// service that says the subscription is gone, and a restart.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { event } from './helpers/ics.js';
import { decryptPush, p, pushClient, registerBody, verifyVapid, type PushClient } from './helpers/push-client.js';
import { startReceiver, type Receiver, type ReceivedRequest, type Reply } from './helpers/receiver.js';
import { BOB, startServerAt, startTestServer, type TestServer, type TestUser } from './helpers/server.js';
import { d, multistatus, parse, propfindBody, propText, type MultiResponse } from './helpers/xml.js';

const HOME = '/dav/calendars/alice/';
const CAL = `${HOME}default/`;
const XML = { 'Content-Type': 'application/xml; charset=utf-8' };
const PUSH_PROPS = `<P:transports xmlns:P="https://bitfire.at/webdav-push"/><P:topic xmlns:P="https://bitfire.at/webdav-push"/>
  <P:supported-triggers xmlns:P="https://bitfire.at/webdav-push"/><D:sync-token/>`;
/** Long enough for a push that is coming to have come: deliveries start on commit. */
const QUIET_MS = 400;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('WebDAV-Push', () => {
  let s: TestServer;
  let service: Receiver;
  /** How the push service answers at a path; 201 (RFC 8030 §5) unless set. */
  const replies = new Map<string, Reply>();
  let clients = 0;

  before(async () => {
    service = await startReceiver();
    service.reply = (request) => replies.get(request.path) ?? { status: 201 };
    s = await startTestServer();
  });
  after(async () => {
    await s.close();
    await service.close();
  });

  const newClient = () => pushClient(`${service.url}/push/${++clients}`);
  const pathOf = (client: PushClient) => new URL(client.pushResource).pathname;
  const pushesTo = (client: PushClient): ReceivedRequest[] => service.requests.filter((r) => r.path === pathOf(client));
  const waitForPushes = async (client: PushClient, count: number) => {
    await until(`${count} pushes to ${pathOf(client)}`, () => pushesTo(client).length >= count);
    return pushesTo(client);
  };

  const register = (client: PushClient, path = CAL, body = registerBody(client)) => s.request('POST', path, { body, headers: XML });
  /** Registers and returns the registration's URL. */
  const registered = async (client: PushClient, path = CAL) => {
    const r = await register(client, path);
    assert.equal(r.status, 204, r.text);
    return r.headers.get('location')!;
  };
  const unregister = (location: string, user?: TestUser) => s.request('DELETE', new URL(location).pathname, { user });

  let changes = 0;
  const change = async (headers: Record<string, string> = {}) => {
    const uid = `change-${++changes}`;
    const r = await s.request('PUT', `${CAL}${uid}.ics`, { body: event(uid, '20240301T100000Z', '20240301T110000Z'), headers });
    assert.equal(r.status, 201, r.text);
  };

  const propfind = async (path: string): Promise<MultiResponse | undefined> => {
    const r = await s.request('PROPFIND', path, { headers: { Depth: '0' }, body: propfindBody(PUSH_PROPS) });
    assert.equal(r.status, 207, r.text);
    return multistatus(r.text).get(path);
  };
  const vapidKeyOf = (r: MultiResponse | undefined) => {
    const key = r?.props.get(p('transports'))?.el.children.find((c) => c.name === p('web-push'))?.children.find((c) => c.name === p('vapid-public-key'));
    assert.equal(key?.attrs.type, 'p256ecdsa');
    return key.text.trim();
  };

  /** The decrypted push-message: its topic and, for a collection, the sync token. */
  const messageOf = (client: PushClient, request: ReceivedRequest) => {
    const message = parse(decryptPush(client, request));
    assert.equal(message.name, p('push-message'));
    const contentUpdate = message.children.find((c) => c.name === p('content-update'));
    assert.ok(contentUpdate, 'a content-update');
    return {
      topic: message.children.find((c) => c.name === p('topic'))?.text.trim(),
      syncToken: contentUpdate.children.find((c) => c.name === d('sync-token'))?.text.trim(),
    };
  };

  it('advertises push on calendars and homes: DAV header, transports with the VAPID key, topic, supported-triggers', async () => {
    const options = await s.request('OPTIONS', CAL);
    assert.ok((options.headers.get('dav') ?? '').split(',').map((c) => c.trim()).includes('webdav-push'));

    const calendar = await propfind(CAL);
    assert.equal(Buffer.from(vapidKeyOf(calendar), 'base64url').length, 65);
    const topic = propText(calendar, p('topic'))!;
    assert.match(topic, /^[\w-]{16,32}$/);
    const trigger = calendar?.props.get(p('supported-triggers'))?.el.children[0];
    assert.equal(trigger?.name, p('content-update'));
    assert.equal(trigger.children.find((c) => c.name === d('depth'))?.text.trim(), '1');
    assert.equal(propText(await propfind(CAL), p('topic')), topic, 'stable');

    const home = await propfind(HOME);
    assert.ok(propText(home, p('topic')) && propText(home, p('topic')) !== topic);
    assert.equal(vapidKeyOf(home), vapidKeyOf(calendar));

    const principal = await propfind('/dav/principals/alice/');
    assert.equal(principal?.props.get(p('topic'))?.status, 404);
    assert.equal(principal?.props.get(p('supported-triggers'))?.status, 404);
    const allprop = await s.request('PROPFIND', CAL, { headers: { Depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>' });
    const inAllprop = [...(multistatus(allprop.text).get(CAL)?.props.keys() ?? [])];
    assert.deepEqual(inAllprop.filter((name) => name.startsWith('{https://bitfire.at/webdav-push}')), [], 'not in allprop');
  });

  it('registers as DAVx5 does and, after a change, pushes an encrypted, VAPID-signed content-update without holding up the write', async () => {
    const client = newClient();
    const expires = new Date(Math.floor(Date.now() / 1000) * 1000 + 3 * 86_400_000);
    const r = await register(client, CAL, registerBody(client, { expires }));
    assert.equal(r.status, 204, r.text);
    const location = r.headers.get('location')!;
    assert.match(location, new RegExp(`^${s.url}push/subscriptions/[\\w-]+$`), 'absolute');
    assert.equal(r.headers.get('expires'), expires.toUTCString());

    replies.set(pathOf(client), { status: 201, delayMs: 1000 });
    await change();
    const changedAt = Date.now();
    const [push] = await waitForPushes(client, 1);
    await until('the push service to answer', () => push!.answeredAt !== undefined);
    assert.ok(changedAt < push!.answeredAt!, 'the PUT was answered before the push was');

    const advertised = await propfind(CAL);
    assert.deepEqual(messageOf(client, push!), { topic: propText(advertised, p('topic')), syncToken: propText(advertised, d('sync-token')) });
    assert.equal(push!.method, 'POST');
    assert.equal(push!.headers['content-encoding'], 'aes128gcm');
    assert.equal(push!.headers.topic, propText(advertised, p('topic')));
    assert.ok(Number(push!.headers.ttl) > 0);
    assert.equal(verifyVapid(push!, service.url), vapidKeyOf(advertised));
    assert.equal((await unregister(location)).status, 204);
  });

  it('grants at most maxPushSeconds (a week), and that when the asked expiry is past', async () => {
    const week = 604_800_000;
    for (const expires of [new Date(Date.now() + 30 * 86_400_000), new Date(Date.now() - 86_400_000)]) {
      const client = newClient();
      const r = await register(client, CAL, registerBody(client, { expires }));
      assert.equal(r.status, 204, r.text);
      const granted = Date.parse(r.headers.get('expires')!);
      assert.ok(Math.abs(granted - (Date.now() + week)) < 5000, `${expires.toUTCString()} → ${r.headers.get('expires')}`);
      assert.equal((await unregister(r.headers.get('location')!)).status, 204);
    }
  });

  it('does not tell a registration named in Push-Dont-Notify, but tells the others', async () => {
    const [spared, told] = [newClient(), newClient()];
    const sparedAt = await registered(spared);
    const toldAt = await registered(told);
    await change({ 'Push-Dont-Notify': `"${sparedAt}"` });
    await waitForPushes(told, 1);
    await sleep(QUIET_MS);
    assert.equal(pushesTo(spared).length, 0);
    await change();
    await waitForPushes(spared, 1);
    for (const location of [sparedAt, toldAt]) assert.equal((await unregister(location)).status, 204);
  });

  it('renews a push-resource registered again: the same registration, one push per change', async () => {
    const client = newClient();
    const first = await register(client, CAL, registerBody(client, { expires: new Date(Date.now() + 86_400_000) }));
    const again = await register(client, CAL, registerBody(client, { expires: new Date(Date.now() + 2 * 86_400_000) }));
    assert.equal(again.status, 204, again.text);
    assert.equal(again.headers.get('location'), first.headers.get('location'));
    assert.ok(Date.parse(again.headers.get('expires')!) > Date.parse(first.headers.get('expires')!));
    await change();
    await waitForPushes(client, 1);
    await sleep(QUIET_MS);
    assert.equal(pushesTo(client).length, 1);
    assert.equal((await unregister(again.headers.get('location')!)).status, 204);
  });

  it('removes a registration on DELETE by its owner only: 204, then 404, and no more pushes', async () => {
    const [removed, witness] = [newClient(), newClient()];
    const location = await registered(removed);
    const witnessAt = await registered(witness);

    const anonymous = await s.request('DELETE', new URL(location).pathname, { user: null });
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic realm="Davenport"/);
    assert.equal((await unregister(location, BOB)).status, 404, "bob cannot tell alice's from none");
    assert.equal((await unregister(location)).status, 204);
    assert.equal((await unregister(location)).status, 404);
    assert.equal((await s.request('DELETE', '/push/subscriptions/no-such-registration')).status, 404);

    await change();
    await waitForPushes(witness, 1);
    await sleep(QUIET_MS);
    assert.equal(pushesTo(removed).length, 0);
    assert.equal((await unregister(witnessAt)).status, 204);
  });

  it('drops a registration whose push service answers 410 Gone', async () => {
    const [gone, witness] = [newClient(), newClient()];
    replies.set(pathOf(gone), { status: 410 });
    const location = await registered(gone);
    const witnessAt = await registered(witness);
    await change();
    await waitForPushes(gone, 1);
    await until('the registration to be dropped', async () => (await unregister(location)).status === 404);

    await change();
    await waitForPushes(witness, 2);
    await sleep(QUIET_MS);
    assert.equal(pushesTo(gone).length, 1);
    assert.equal((await unregister(witnessAt)).status, 204);
  });

  it('refuses bad registrations with 403 and the precondition, and malformed XML with 400', async () => {
    const client = newClient();
    const precondition = async (body: string, path = CAL) => {
      const r = await register(client, path, body);
      assert.equal(r.status, 403, r.text);
      const error = parse(r.text);
      assert.equal(error.name, d('error'));
      return error.children[0]?.name;
    };
    const notOnCurve = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]).toString('base64url');
    for (const publicKey of [notOnCurve, Buffer.alloc(32, 7).toString('base64url'), 'not base64!']) {
      assert.equal(await precondition(registerBody(client, { publicKey })), p('invalid-subscription'), publicKey);
    }
    for (const pushResource of ['http://10.0.0.1/push', 'ftp://127.0.0.1/push', 'not a URL']) {
      assert.equal(await precondition(registerBody({ ...client, pushResource })), p('invalid-subscription'), pushResource);
    }
    const aesgcm = registerBody(client, { extra: '<P:content-encoding>aesgcm</P:content-encoding>' });
    assert.equal(await precondition(aesgcm), p('invalid-subscription'));
    const shortSecret = registerBody({ ...client, authSecret: Buffer.alloc(8) });
    assert.equal(await precondition(shortSecret), p('invalid-subscription'));
    const propertyUpdateOnly = registerBody(client).replace('</P:push-register>', '<P:trigger><P:property-update><D:depth xmlns:D="DAV:">0</D:depth></P:property-update></P:trigger></P:push-register>');
    assert.equal(await precondition(propertyUpdateOnly), p('no-supported-trigger'));

    assert.equal((await register(client, CAL, '<P:push-register xmlns:P="https://bitfire.at/webdav-push"><P:subscription>')).status, 400);
    assert.equal((await register(client, '/dav/principals/alice/')).status, 405);
    const addMemberOnHome = await s.request('POST', HOME, { body: 'BEGIN:VCALENDAR', headers: { 'Content-Type': 'text/calendar' } });
    assert.equal(addMemberOnHome.status, 415, 'a home takes only push-register');
  });

  it('tells a registration on the home when a calendar in it changes', async () => {
    const client = newClient();
    const location = await registered(client, HOME);
    await change();
    const [push] = await waitForPushes(client, 1);
    assert.deepEqual(messageOf(client, push!), { topic: propText(await propfind(HOME), p('topic')), syncToken: undefined });
    assert.equal((await unregister(location)).status, 204);
  });

  it('keeps registrations, topics and the VAPID key across a restart', async () => {
    const client = newClient();
    await registered(client);
    const before = await propfind(CAL);
    await s.server.close(); // the store stays where it is
    s = await startServerAt(s.location);

    const afterRestart = await propfind(CAL);
    assert.equal(vapidKeyOf(afterRestart), vapidKeyOf(before));
    assert.equal(propText(afterRestart, p('topic')), propText(before, p('topic')));
    await change();
    const [push] = await waitForPushes(client, 1);
    assert.equal(verifyVapid(push!, service.url), vapidKeyOf(before));
    assert.equal(messageOf(client, push!).topic, propText(before, p('topic')));
  });
});
