import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Store, User } from '../store/types.js';
import { DavError } from '../webdav/errors.js';
import { WEB_PUSH } from './web-push-subscription.js';

/** Push registrations' URL path; Push-Dont-Notify names registrations by it. */
const REGISTRATION_PATH = '/push/subscriptions/';
export const registrationPath = (publicId: string) => `${REGISTRATION_PATH}${encodeURIComponent(publicId)}`;

/** As the DAV side asks for credentials. */
const CHALLENGE = { 'WWW-Authenticate': 'Basic realm="Davenport", charset="UTF-8"' };

/**
 * DELETE on a push registration's URL (draft §"Subscription removal"): 204 when it was
 * the user's and removed; 404 when it is unknown, expired or someone else's (which is
 * not told apart, so others' registrations cannot be probed).
 */
export function routeRegistrationRemoval(
  router: Router,
  store: Store,
  authenticate: (ctx: Context) => Promise<User | undefined>,
): void {
  router.delete(`${REGISTRATION_PATH}:publicId`, async (ctx) => {
    const user = await authenticate(ctx);
    if (!user) throw new DavError(401, 'Authentication required', undefined, undefined, CHALLENGE);
    const registration = await store.getSubscription(ctx.params.publicId);
    const removable = registration?.transport === WEB_PUSH && registration.userId === user.id && registration.expiresAt > Date.now();
    if (!removable || !(await store.deleteSubscription(registration.id))) throw new DavError(404, 'No such push registration');
    ctx.status = 204;
  });
}
