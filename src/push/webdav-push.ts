import type { NotificationDeps } from './index.js';
import { definePushProperties } from './push-properties.js';
import { pushRegister } from './push-register.js';
import { loadTopics } from './push-topics.js';
import { routeRegistrationRemoval } from './registration-route.js';
import type { Transport } from './transport.js';
import { loadVapidKeys } from './vapid-keys.js';
import { webPushTransport } from './web-push-transport.js';

/**
 * WebDAV-Push (draft-bitfire-webdav-push-00) as DAVx5 uses it: the `webdav-push`
 * compliance class and the discovery properties, push-register by POST, removal by
 * DELETE on the registration's URL; returns the transport that sends the messages.
 */
export async function startWebDavPush(deps: NotificationDeps): Promise<Transport> {
  const { store, dav, config } = deps;
  const vapidKeys = await loadVapidKeys(store);
  const topicOf = await loadTopics(store);
  dav.complianceClasses.push('webdav-push');
  definePushProperties(dav, vapidKeys.publicKey, topicOf);
  dav.addXmlPost(pushRegister(config));
  routeRegistrationRemoval(deps.router, store, deps.authenticate);
  return webPushTransport(config, vapidKeys, topicOf);
}
