import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import type { XmlPostDef } from '../webdav/dav.js';
import { DavError } from '../webdav/errors.js';
import { publicOrigin } from '../webdav/public-origin.js';
import { child, childrenNamed } from '../webdav/xml/parse.js';
import { registrationPath } from './registration-route.js';
import { isPushable, scopeOf, type PushableResource } from './pushable.js';
import { P } from './push-namespace.js';
import { agreedTrigger } from './push-triggers.js';
import { readWebPushSubscription, WEB_PUSH, type WebPushDetails } from './web-push-subscription.js';

/**
 * When a registration ends (draft §"Subscription registration", `expires`): when asked,
 * but no later than maxPushSeconds from now; absent, unreadable or past, that longest
 * time (as Nextcloud's). Whole seconds: the Expires header can say nothing finer.
 */
function expiryOf(asked: string | undefined, maxPushSeconds: number, now = Date.now()): number {
  const longest = now + maxPushSeconds * 1000;
  const requested = asked === undefined ? NaN : Date.parse(asked);
  const expiresAt = Number.isNaN(requested) || requested <= now ? longest : Math.min(requested, longest);
  return Math.floor(expiresAt / 1000) * 1000;
}

/**
 * POST push-register to a calendar, address book or home: registers (or, for a
 * push-resource already registered there, renews) a Web Push subscription. Answered 204:
 * the draft asks for 201 only when the body carries transport details, and ours has
 * none. Location is the registration's absolute URL, which DELETE and Push-Dont-Notify take.
 */
export function pushRegister(config: Config): XmlPostDef<PushableResource> {
  return {
    name: P('push-register'),
    appliesTo: isPushable,
    async handle(req, resource, body) {
      const subscriptions = childrenNamed(body, P('subscription'));
      if (subscriptions.length !== 1) throw new DavError(403, 'push-register takes exactly one subscription', P('invalid-subscription'));
      const { pushResource, keys } = await readWebPushSubscription(subscriptions[0], config.notifications);
      const details: WebPushDetails = { keys, contentEncoding: 'aes128gcm', trigger: agreedTrigger(child(body, P('trigger'))) };
      const { subscription } = await req.store.saveSubscription({
        publicId: randomBytes(16).toString('base64url'),
        userId: req.user.id,
        transport: WEB_PUSH,
        scope: scopeOf(resource),
        name: pushResource,
        address: pushResource,
        details: JSON.stringify(details),
        expiresAt: expiryOf(child(body, P('expires'))?.text.trim(), config.notifications.maxPushSeconds),
      });
      // Koa 3's ctx.origin is the Origin request header, not this server's origin.
      const origin = publicOrigin(req.koa, config.publicUrl);
      req.setHeader('Location', `${origin}${registrationPath(subscription.publicId)}`);
      req.setHeader('Expires', new Date(subscription.expiresAt).toUTCString());
      req.respond(204);
    },
  };
}
