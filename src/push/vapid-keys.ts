import webpush, { type VapidKeys } from 'web-push';
import type { SettingStore } from '../store/types.js';

const SETTING = 'webdav-push.vapid-keys';

/**
 * The server's VAPID key pair (RFC 8292), base64url. Made by the first node to start and
 * kept in the database, as one setting so both halves come from the same node: clients
 * hand the public key to their push service, which then refuses messages signed otherwise.
 */
export async function loadVapidKeys(store: SettingStore): Promise<VapidKeys> {
  return JSON.parse(await store.initSetting(SETTING, JSON.stringify(webpush.generateVAPIDKeys()))) as VapidKeys;
}

/**
 * The JWT's `sub` (RFC 8292 §2.1): how the push service's operator reaches ours. The
 * server's own https URL when it has one; web-push accepts nothing but https: or mailto:.
 */
export function vapidSubject(publicUrl: string): string {
  return publicUrl.startsWith('https://') ? publicUrl : 'mailto:postmaster@localhost';
}
