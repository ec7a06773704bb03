import type { Collection, Subscription } from '../store/types.js';
import type { CollectionChange } from '../webdav/changes.js';
import type { DeliveryReason } from './delivery.js';

type ChangeOrigin = CollectionChange['origin'];

/**
 * What became of one delivery attempt:
 * - delivered: the receiver took it;
 * - retry: a passing failure (a 500/502/503/504, a network error): try again later;
 * - gone: the receiver says the subscription no longer exists (404/410 from a push service): drop it;
 * - refused: any other answer; not retried.
 */
export type DeliveryOutcome = 'delivered' | 'retry' | 'gone' | 'refused';

/** What a notification is about: the collection as it is now (undefined: a home's collection set changed, or it was deleted). */
export interface NotificationSubject {
  subscription: Subscription;
  collection: Collection | undefined;
  /** 'subscribed': the first message, right after the subscription was made (a web-hook's `sync`). */
  reason: DeliveryReason;
}

/**
 * One way of telling subscribers of changes (web-hook channels, WebDAV-Push). The
 * delivery worker (delivery.ts) calls `deliver` off the request path, once per burst
 * of changes, and handles retries and give-up; a transport only makes one attempt.
 */
export interface Transport {
  /** Subscription.transport of the subscriptions it serves. */
  readonly name: string;
  deliver(subject: NotificationSubject): Promise<DeliveryOutcome>;
  /** Whether the request that made a change asked not to tell this subscription of it (WebDAV-Push's Push-Dont-Notify). */
  spares?(subscription: Subscription, origin: ChangeOrigin | undefined): boolean;
}
