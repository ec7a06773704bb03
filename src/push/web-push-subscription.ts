import { ECDH } from 'node:crypto';
import type { NotificationConfig } from '../config.js';
import { DavError } from '../webdav/errors.js';
import { child, type XmlElement } from '../webdav/xml/parse.js';
import { AddressError, checkAddress } from './outbound.js';
import { P } from './push-namespace.js';
import type { Trigger } from './push-triggers.js';

/** Subscription.transport of push registrations. */
export const WEB_PUSH = 'web-push';

/** The user agent's RFC 8291 keys, base64url without padding: p256dh its ECDH public key, auth the shared secret. */
export interface WebPushKeys {
  p256dh: string;
  auth: string;
}

/** Subscription.details of a push registration. */
export interface WebPushDetails {
  keys: WebPushKeys;
  /** RFC 8291's, the only one the draft allows. */
  contentEncoding: 'aes128gcm';
  trigger: Trigger;
}

export function readDetails(details: string): WebPushDetails {
  return JSON.parse(details) as WebPushDetails;
}

const invalid = (why: string) => new DavError(403, why, P('invalid-subscription'));

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

function base64urlBytes(text: string | undefined): Buffer | undefined {
  const t = text?.trim() ?? '';
  return BASE64URL.test(t) ? Buffer.from(t, 'base64url') : undefined;
}

/** An uncompressed point on P-256 (65 bytes from 0x04), which is what RFC 8291 §3.1 keys are. */
function isUncompressedP256(key: Buffer): boolean {
  if (key.length !== 65 || key[0] !== 0x04) return false;
  try {
    ECDH.convertKey(key, 'prime256v1');
    return true;
  } catch {
    return false; // not on the curve
  }
}

/**
 * A push-register's `subscription` (draft §"Subscription registration"): a
 * web-push-subscription whose push-resource we may reach, whose content-encoding, if
 * given, is aes128gcm, with a P-256 public key and a 16-byte auth secret (RFC 8291 §3.2).
 * Anything else is 403 invalid-subscription.
 */
export async function readWebPushSubscription(
  subscription: XmlElement | undefined,
  config: NotificationConfig,
): Promise<{ pushResource: string; keys: WebPushKeys }> {
  const webPush = subscription && child(subscription, P('web-push-subscription'));
  if (!webPush) throw invalid('The subscription must be a web-push-subscription');

  const encoding = child(webPush, P('content-encoding'))?.text.trim();
  if (encoding !== undefined && encoding !== 'aes128gcm') throw invalid(`Content encoding ${encoding} is not supported, only aes128gcm`);

  const keyElement = child(webPush, P('subscription-public-key'));
  const publicKey = base64urlBytes(keyElement?.text);
  if (!keyElement || (keyElement.attrs.type ?? 'p256dh') !== 'p256dh' || !publicKey || !isUncompressedP256(publicKey)) {
    throw invalid('subscription-public-key must be a base64url uncompressed P-256 point (type p256dh)');
  }
  const authSecret = base64urlBytes(child(webPush, P('auth-secret'))?.text);
  if (authSecret?.length !== 16) throw invalid('auth-secret must be 16 bytes, base64url');

  let pushResource: URL;
  try {
    pushResource = await checkAddress(child(webPush, P('push-resource'))?.text.trim() ?? '', config);
  } catch (e) {
    if (e instanceof AddressError) throw invalid(`push-resource: ${e.message}`);
    throw e;
  }
  return { pushResource: pushResource.href, keys: { p256dh: publicKey.toString('base64url'), auth: authSecret.toString('base64url') } };
}
