import { createHmac, randomBytes } from 'node:crypto';
import type { SettingStore, SubscriptionScope } from '../store/types.js';

const SETTING = 'webdav-push.topic-secret';
/** 24 bytes: 32 base64url characters, the most a Web Push Topic header may carry (RFC 8030 §5.4). */
const TOPIC_BYTES = 24;

/** The topic of a user's collection or home. */
export type TopicOf = (ownerId: number, scope: SubscriptionScope) => string;

/**
 * Topics (draft §"Service detection"): stable for the life of the collection or home,
 * unique across the server, and telling nothing (not an id, nor how many there are):
 * an HMAC of what they name under a secret the first node made and every node shares.
 */
export async function loadTopics(store: SettingStore): Promise<TopicOf> {
  const secret = await store.initSetting(SETTING, randomBytes(32).toString('base64url'));
  return (ownerId, scope) => {
    const named = 'collectionId' in scope ? `collection:${scope.collectionId}` : `home:${ownerId}:${scope.homeKind}`;
    return createHmac('sha256', secret).update(named).digest().subarray(0, TOPIC_BYTES).toString('base64url');
  };
}
