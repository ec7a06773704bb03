import { randomBytes } from 'node:crypto';
import { AddressError, checkAddress } from '../push/outbound.js';
import { loadTopics, type TopicOf } from '../push/push-topics.js';
import { queueSyncMessage, WEB_HOOK, type WebHookDetails } from '../push/web-hook.js';
import { calendarFor } from './calendars.js';
import { publicOrigin } from '../webdav/public-origin.js';
import { API_PREFIX, type ApiDeps, type ApiRouter } from './deps.js';
import { badRequest, notFound } from './errors.js';
import { readJsonBody } from './json-body.js';

// events.watch and channels.stop (developers.google.com/workspace/calendar/api/v3/reference):
// a channel is a subscription of transport 'web-hook' to one calendar, named by the
// client's channel id (unique per user); the web-hook transport (push/web-hook.ts) sends
// its notifications.

const CHANNEL_ID = /^[A-Za-z0-9\-_+/=]{1,64}$/;
const MAX_TOKEN_LENGTH = 256;
/** The token goes back in a header: visible ASCII and spaces only. */
const HEADER_SAFE = /^[\x20-\x7e]*$/;
const CHANNEL_TYPES = ['web_hook', 'webhook'];
/** Google's default `params.ttl`: a week. */
const DEFAULT_TTL_SECONDS = 604_800;

interface WatchRequest {
  id: string;
  address: string;
  token: string | undefined;
  expiresAt: number;
}

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`${name} must be a string`, name);
  return value;
}

function requiredString(body: Record<string, unknown>, name: string): string {
  const value = optionalString(body, name);
  if (value === undefined || value === '') throw badRequest(`Required: ${name}`, name, 'required');
  return value;
}

/** A whole number given as a JSON number or as a string of digits (Google's clients send strings). */
function wholeNumber(value: unknown, name: string): number {
  const n = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw badRequest(`Invalid value for ${name}: ${String(value)}`, name);
  return n;
}

/** The more restrictive of the client's ttl and expiration and the server's cap. */
function expiryOf(body: Record<string, unknown>, maxChannelSeconds: number, now: number): number {
  const params = body.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw badRequest('params must be an object', 'params');
  const ttl = (params as Record<string, unknown>).ttl;
  const ttlSeconds = ttl === undefined ? DEFAULT_TTL_SECONDS : wholeNumber(ttl, 'params.ttl');
  if (ttlSeconds === 0) throw badRequest('params.ttl must be positive', 'params.ttl');
  const limits = [now + ttlSeconds * 1000, now + maxChannelSeconds * 1000];
  if (body.expiration !== undefined && body.expiration !== null) {
    const expiration = wholeNumber(body.expiration, 'expiration');
    if (expiration <= now) throw badRequest('The expiration is in the past', 'expiration');
    limits.push(expiration);
  }
  return Math.min(...limits);
}

async function parseWatchRequest(body: Record<string, unknown>, deps: ApiDeps): Promise<WatchRequest> {
  const id = requiredString(body, 'id');
  if (!CHANNEL_ID.test(id)) throw badRequest('The channel id must be 1-64 characters of A-Z a-z 0-9 - _ + / =', 'id');
  const type = requiredString(body, 'type');
  if (!CHANNEL_TYPES.includes(type.toLowerCase())) throw badRequest(`Unsupported channel type: ${type}`, 'type');
  const token = optionalString(body, 'token');
  if (token !== undefined && (token.length > MAX_TOKEN_LENGTH || !HEADER_SAFE.test(token))) {
    throw badRequest(`The token must be at most ${MAX_TOKEN_LENGTH} printable ASCII characters`, 'token');
  }
  const expiresAt = expiryOf(body, deps.config.notifications.maxChannelSeconds, Date.now());
  const address = requiredString(body, 'address');
  try {
    await checkAddress(address, deps.config.notifications);
  } catch (err) {
    if (err instanceof AddressError) throw badRequest(`Invalid address: ${err.message}`, 'address');
    throw err;
  }
  return { id, address, token, expiresAt };
}

const channelIdNotUnique = () => badRequest('Channel id not unique', 'id', 'channelIdNotUnique');

/** Adds events.watch and channels.stop to the API's router (paths relative to API_PREFIX). */
export function registerWatchRoutes(router: ApiRouter, deps: ApiDeps): void {
  const { store } = deps.dav;
  // A calendar's resourceId is its WebDAV-Push topic: opaque, stable across restarts and
  // nodes, the same for every channel on it, and telling nothing of the collection.
  let topics: Promise<TopicOf> | undefined;
  const resourceIdOf = async (ownerId: number, collectionId: number) => (await (topics ??= loadTopics(store)))(ownerId, { collectionId });

  router.post('/calendars/:calendarId/events/watch', async (ctx) => {
    const { user } = ctx.state;
    const { calendarId } = ctx.params;
    const request = await parseWatchRequest(await readJsonBody(ctx), deps);
    const { collection } = await calendarFor(deps.dav, user, calendarId);
    const details: WebHookDetails = {
      token: request.token,
      resourceId: await resourceIdOf(user.id, collection.id),
      // Koa 3's ctx.origin is the Origin request header, not this server's origin.
      resourceUri: `${publicOrigin(ctx, deps.config.publicUrl)}${API_PREFIX}/calendars/${encodeURIComponent(calendarId)}/events?alt=json`,
      calendarId,
    };
    await store.transaction(async (tx) => {
      // Deleted since calendarFor: 404 (not a foreign-key failure); the lock holds off its deletion until commit.
      if (!(await tx.lockCollection(collection.id))) throw notFound();
      for (const existing of await tx.findSubscriptions(user.id, WEB_HOOK, request.id)) {
        if (existing.expiresAt > Date.now()) throw channelIdNotUnique();
        await tx.deleteSubscription(existing.id); // an expired channel's id may be used again
      }
      const { subscription, created } = await tx.saveSubscription({
        publicId: randomBytes(18).toString('base64url'), userId: user.id, transport: WEB_HOOK, scope: { collectionId: collection.id },
        name: request.id, address: request.address, details: JSON.stringify(details), expiresAt: request.expiresAt,
      });
      if (!created) throw channelIdNotUnique(); // a concurrent watch with the same id got there first
      await queueSyncMessage(tx, subscription, collection.id);
    });
    ctx.body = {
      kind: 'api#channel',
      id: request.id,
      resourceId: details.resourceId,
      resourceUri: details.resourceUri,
      ...(request.token === undefined ? {} : { token: request.token }),
      expiration: String(request.expiresAt),
    };
  });

  router.post('/channels/stop', async (ctx) => {
    const body = await readJsonBody(ctx);
    const id = requiredString(body, 'id');
    const resourceId = requiredString(body, 'resourceId');
    // Another user's channel is as unknown as one that never was.
    const channels = (await store.findSubscriptions(ctx.state.user.id, WEB_HOOK, id))
      .filter((channel) => (JSON.parse(channel.details) as WebHookDetails).resourceId === resourceId);
    if (channels.length === 0) throw notFound(`Channel '${id}' not found`);
    for (const channel of channels) await store.deleteSubscription(channel.id);
    ctx.status = 204;
  });
}
