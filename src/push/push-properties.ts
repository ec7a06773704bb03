import type { Dav } from '../webdav/dav.js';
import { el, escapeXml } from '../webdav/xml/write.js';
import { isPushable, scopeOf } from './pushable.js';
import { P } from './push-namespace.js';
import type { TopicOf } from './push-topics.js';
import { SUPPORTED_TRIGGERS } from './push-triggers.js';

/**
 * Service detection (draft §"Service detection"): transports, topic and
 * supported-triggers on the resources that support push, and nowhere else. Not in
 * allprop: clients ask for them by name.
 */
export function definePushProperties(d: Dav, vapidPublicKey: string, topicOf: TopicOf): void {
  const transports = el(P('web-push'), el(P('vapid-public-key'), escapeXml(vapidPublicKey), { type: 'p256ecdsa' }));
  d.properties.define(
    { name: P('transports'), appliesTo: isPushable, get: () => transports, inAllprop: false },
    {
      name: P('topic'),
      appliesTo: isPushable,
      get: (r) => (isPushable(r) ? escapeXml(topicOf(r.owner.id, scopeOf(r))) : undefined),
      inAllprop: false,
    },
    { name: P('supported-triggers'), appliesTo: isPushable, get: () => SUPPORTED_TRIGGERS, inAllprop: false },
  );
}
