import type { NotificationConfig } from '../config.js';
import type { Store, StoreSession, Subscription } from '../store/types.js';
import { enqueueDelivery } from './delivery.js';
import { AddressError, post } from './outbound.js';
import type { DeliveryOutcome, NotificationSubject, Transport } from './transport.js';

// Google-style watch channels (developers.google.com/workspace/calendar/api/guides/push):
// each notification is an empty POST whose X-Goog-* headers say which channel and
// resource it is about; the receiver then syncs. A channel's first message is `sync`,
// always number 1; every later one (`exists`) takes a higher number.

export const WEB_HOOK = 'web-hook';

/** What a channel keeps beside its address (Subscription.details, as JSON). */
export interface WebHookDetails {
  token: string | undefined;
  resourceId: string;
  resourceUri: string;
  /** As the client named it (`primary` included), for resourceUri. */
  calendarId: string;
}

const SYNC_MESSAGE_NUMBER = 1;
const USER_AGENT = 'APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)';

/**
 * Queues a new channel's `sync` message with the creating transaction. Number 1 is taken
 * here, before the channel is visible to any write, so no change's message can get it.
 */
export async function queueSyncMessage(tx: StoreSession, channel: Subscription, collectionId: number): Promise<void> {
  await tx.nextMessageNumber(channel.id);
  await enqueueDelivery(tx, channel, collectionId, 'subscribed');
}

function resourceState({ collection, reason }: NotificationSubject): string {
  if (!collection) return 'not_exists';
  return reason === 'subscribed' ? 'sync' : 'exists';
}

/** Google's success statuses; 500/502/503/504 are worth another try; anything else is a refusal. */
function outcomeOf(status: number): DeliveryOutcome {
  if ((status >= 200 && status < 300) || status === 102) return 'delivered';
  return [500, 502, 503, 504].includes(status) ? 'retry' : 'refused';
}

export function webHookTransport(store: Store, config: NotificationConfig): Transport {
  return {
    name: WEB_HOOK,
    async deliver(subject) {
      const { subscription: channel, reason } = subject;
      const details = JSON.parse(channel.details) as WebHookDetails;
      const messageNumber = reason === 'subscribed' ? SYNC_MESSAGE_NUMBER : await store.nextMessageNumber(channel.id);
      if (messageNumber === undefined) return 'gone'; // stopped since the worker looked it up
      const headers: Record<string, string> = {
        'User-Agent': USER_AGENT,
        'Content-Length': '0',
        'X-Goog-Channel-ID': channel.name,
        'X-Goog-Channel-Expiration': new Date(channel.expiresAt).toUTCString(),
        'X-Goog-Message-Number': String(messageNumber),
        'X-Goog-Resource-ID': details.resourceId,
        'X-Goog-Resource-State': resourceState(subject),
        'X-Goog-Resource-URI': details.resourceUri,
      };
      if (details.token !== undefined) headers['X-Goog-Channel-Token'] = details.token;
      try {
        return outcomeOf(await post(channel.address, config, { headers }));
      } catch (err) {
        // The address now resolves into a network users may not reach: asking again will not help.
        if (err instanceof AddressError) return 'refused';
        throw err;
      }
    },
  };
}
