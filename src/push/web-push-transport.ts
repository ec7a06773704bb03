import webpush, { type VapidKeys } from 'web-push';
import type { Config } from '../config.js';
import { syncTokenOf } from '../webdav/sync-token.js';
import { sparedBy } from './dont-notify.js';
import { post } from './outbound.js';
import { contentUpdateMessage } from './push-message.js';
import type { TopicOf } from './push-topics.js';
import type { DeliveryOutcome, Transport } from './transport.js';
import { registrationPath } from './registration-route.js';
import { vapidSubject } from './vapid-keys.js';
import { readDetails, WEB_PUSH } from './web-push-subscription.js';

/**
 * How long the push service keeps a message for a device that is offline (RFC 8030
 * §5.2). A day: a phone off overnight still learns of the changes when it wakes, and the
 * Topic header keeps just the last of a collection's messages (they all say "sync").
 */
const TTL_SECONDS = 86_400;

/** Answers a push service gives to a passing failure (RFC 8030 §8.4 rate limiting, 5xx). */
const PASSING = new Set([429, 500, 502, 503, 504]);

function outcomeOf(status: number): DeliveryOutcome {
  if (status >= 200 && status < 300) return 'delivered';
  // RFC 8030 §7.3: the subscription expired or was dropped.
  if (status === 404 || status === 410) return 'gone';
  return PASSING.has(status) ? 'retry' : 'refused';
}

/**
 * WebDAV-Push's transport: the push-message, encrypted for the user agent (RFC 8291
 * aes128gcm) and signed with the server's VAPID key (RFC 8292), POSTed to the
 * push-resource through outbound.ts (web-push's own sender speaks https only and checks
 * no addresses). Network errors throw, which the delivery worker retries.
 */
export function webPushTransport(config: Config, vapidKeys: VapidKeys, topicOf: TopicOf): Transport {
  const vapidDetails = { subject: vapidSubject(config.publicUrl), ...vapidKeys };
  return {
    name: WEB_PUSH,
    spares(subscription, origin) {
      const spared = sparedBy(origin?.header('Push-Dont-Notify'), registrationPath);
      return spared === '*' || spared.includes(subscription.publicId);
    },
    async deliver({ subscription, collection }) {
      const topic = topicOf(subscription.userId, subscription.scope);
      const syncToken = 'collectionId' in subscription.scope && collection ? syncTokenOf(collection.id, collection.synctoken) : undefined;
      const request = webpush.generateRequestDetails(
        { endpoint: subscription.address, keys: readDetails(subscription.details).keys },
        contentUpdateMessage(topic, syncToken),
        { vapidDetails, TTL: TTL_SECONDS, urgency: 'normal', topic, contentEncoding: 'aes128gcm' },
      );
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
      return outcomeOf(await post(request.endpoint, config.notifications, { headers, body: new Uint8Array(request.body) }));
    },
  };
}
