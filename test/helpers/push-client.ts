import { createECDH, createPublicKey, randomBytes, verify, type ECDH } from 'node:crypto';
import * as ece from 'http_ece';
import type { ReceivedRequest } from './receiver.js';

// The user agent's side of Web Push, as DAVx5 plays it: its own key pair and auth
// secret (RFC 8291), the push-register it sends, and the checks it (or its push
// service) makes on what arrives.

export const PUSH_NS = 'https://bitfire.at/webdav-push';
export const p = (local: string) => `{${PUSH_NS}}${local}`;

export interface PushClient {
  /** The push-resource URL, at the test's push service. */
  pushResource: string;
  ecdh: ECDH;
  authSecret: Buffer;
}

export function pushClient(pushResource: string): PushClient {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { pushResource, ecdh, authSecret: randomBytes(16) };
}

/** A push-register as DAVx5 sends it: no trigger, no content-encoding; `extra` goes into web-push-subscription. */
export function registerBody(client: PushClient, options: { expires?: Date; publicKey?: string; extra?: string } = {}): string {
  const publicKey = options.publicKey ?? client.ecdh.getPublicKey().toString('base64url');
  const expires = options.expires ? `<P:expires>${options.expires.toUTCString()}</P:expires>` : '';
  return `<?xml version="1.0" encoding="utf-8"?>
<P:push-register xmlns:P="${PUSH_NS}">
  <P:subscription><P:web-push-subscription>
    <P:push-resource>${client.pushResource}</P:push-resource>
    <P:subscription-public-key type="p256dh">${publicKey}</P:subscription-public-key>
    <P:auth-secret>${client.authSecret.toString('base64url')}</P:auth-secret>${options.extra ?? ''}
  </P:web-push-subscription></P:subscription>${expires}
</P:push-register>`;
}

/** The plaintext of a message pushed to the client (RFC 8291 aes128gcm). */
export function decryptPush(client: PushClient, request: ReceivedRequest): string {
  return ece.decrypt(request.body, { version: 'aes128gcm', privateKey: client.ecdh, authSecret: client.authSecret }).toString('utf8');
}

/**
 * Checks a request's `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292) as a push service
 * does: ES256 over header.payload with the key k, `aud` the service's origin, `exp` to
 * come. Returns k, or throws.
 */
export function verifyVapid(request: ReceivedRequest, audience: string): string {
  const m = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(request.headers.authorization ?? '');
  if (!m) throw new Error(`not a VAPID Authorization: ${request.headers.authorization}`);
  const [, jwt, k] = m as unknown as [string, string, string];
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  const point = Buffer.from(k, 'base64url');
  const key = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33, 65).toString('base64url') },
    format: 'jwk',
  });
  const signed = Buffer.from(`${header}.${payload}`);
  if (!verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))) throw new Error('VAPID signature does not verify');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { aud: string; exp: number };
  if (claims.aud !== audience) throw new Error(`VAPID aud ${claims.aud}, expected ${audience}`);
  if (claims.exp * 1000 <= Date.now()) throw new Error('VAPID JWT has expired');
  return k;
}
